package notebook

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// The flags and the exit every example's main shares: -seed, -out and
// -quick are registered on the command line's flag set, and Run turns an
// error into "name: error" on stderr and exit status 1.

// SeedFlag registers -seed into seed, default 1, its usage "seed for "
// followed by what the seed draws.
func SeedFlag(seed *uint64, what string) {
	flag.Uint64Var(seed, "seed", 1, "seed for "+what)
}

// OutFlag registers -out into out; its default "" means out/<name>, as
// OutDir reads it.
func OutFlag(out *string, name string) {
	flag.StringVar(out, "out", "", "output folder (default out/"+name+")")
}

// QuickFlag registers -quick, a small, fast run, and returns its value.
func QuickFlag() *bool {
	return flag.Bool("quick", false, "a small, fast run")
}

// Run calls run(s, os.Stdout); on an error it prints "name: error" on
// stderr and exits with status 1.
func Run[S, R any](name string, s S, run func(S, io.Writer) (R, error)) {
	if _, err := run(s, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Main registers -quick, parses the command line into the flags registered
// on *s, applies quick to *s when -quick is given, and runs *s as Run does.
func Main[S, R any](name string, s *S, quick func(S) S, run func(S, io.Writer) (R, error)) {
	q := QuickFlag()
	flag.Parse()
	if *q {
		*s = quick(*s)
	}
	Run(name, *s, run)
}
