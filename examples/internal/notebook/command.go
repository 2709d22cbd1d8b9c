package notebook

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// Example is one example program: its settings S and the flags that set
// them, what -quick does, and the run, which prints the narrative to its
// writer and returns what it establishes (R, which the tests check). Main
// runs it from the command line; package notebooktest runs it in tests
// through the same flags, so that a test's run is a command line's.
type Example[S, R any] struct {
	// Name names the program in its error messages and its default output
	// folder, out/<Name>.
	Name string
	// Defaults are the settings before the flags are registered; a flag
	// registered on a field then sets it to the flag's default.
	Defaults S
	// Flags registers the program's flags on fs, each one on a field of s.
	Flags func(fs *flag.FlagSet, s *S)
	// Parsed, when not nil, completes the settings once the command line
	// is parsed (settings that depend on which flags were given, or that
	// are parsed from a flag's text); its error is bad usage.
	Parsed func(fs *flag.FlagSet, s *S) error
	// Quick, when not nil, adds -quick: a small, fast run for tests and a
	// first look, made from the parsed settings. QuickUsage is the flag's
	// usage text, "" for "a small, fast run".
	Quick      func(s *S)
	QuickUsage string
	// Run works the example, printing its narrative to out.
	Run func(s S, out io.Writer) (R, error)
}

// Parse registers e's flags (and -quick) on fs, parses args and returns
// the settings they give: the defaults, the flags, Parsed, then Quick when
// -quick is given.
func (e Example[S, R]) Parse(fs *flag.FlagSet, args []string) (S, error) {
	s := e.Defaults
	e.Flags(fs, &s)
	quick := new(bool)
	if e.Quick != nil {
		usage := e.QuickUsage
		if usage == "" {
			usage = "a small, fast run"
		}
		fs.BoolVar(quick, "quick", false, usage)
	}
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if e.Parsed != nil {
		if err := e.Parsed(fs, &s); err != nil {
			return s, err
		}
	}
	if *quick {
		e.Quick(&s)
	}
	return s, nil
}

// Main runs e on the command line: it parses os.Args into
// flag.CommandLine (bad usage: a message and exit status 2) and runs e
// with the narrative on stdout; on an error it prints "name: error" on
// stderr and exits with status 1.
func (e Example[S, R]) Main() {
	s, err := e.Parse(flag.CommandLine, os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", e.Name, err)
		os.Exit(2)
	}
	if _, err := e.Run(s, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", e.Name, err)
		os.Exit(1)
	}
}

// SeedFlag registers -seed on fs into seed, default 1, its usage "seed
// for " followed by what the seed draws.
func SeedFlag(fs *flag.FlagSet, seed *uint64, what string) {
	fs.Uint64Var(seed, "seed", 1, "seed for "+what)
}

// OutFlag registers -out on fs into out; its default "" means
// out/<name>, as OutDir reads it.
func OutFlag(fs *flag.FlagSet, out *string, name string) {
	fs.StringVar(out, "out", "", "output folder (default out/"+name+")")
}

// Wrote prints a line "  wrote <file>" for each file a run saved.
func Wrote(out io.Writer, files ...string) {
	for _, f := range files {
		fmt.Fprintf(out, "  wrote %s\n", f)
	}
}
