// Package notebooktest runs symgrad's example programs in their tests as
// the command line does, through their flags (usually with -quick), with
// the output folder a temporary one, and checks the files they save.
package notebooktest

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/symgrad/symgrad/examples/internal/notebook"
)

// Settings returns the settings that the command line args give e, with
// -out a temporary folder of t's when e has -out (an -out in args wins).
func Settings[S, R any](t testing.TB, e notebook.Example[S, R], args ...string) S {
	t.Helper()
	probe := flag.NewFlagSet(e.Name, flag.ContinueOnError)
	e.Flags(probe, new(S))
	if probe.Lookup("out") != nil {
		args = append([]string{"-out", t.TempDir()}, args...)
	}
	fs := flag.NewFlagSet(e.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s, err := e.Parse(fs, args)
	if err != nil {
		t.Fatalf("%s %q: %v", e.Name, args, err)
	}
	return s
}

// Run runs e with settings s; it fails t, showing the narrative printed
// so far, when the run fails, and returns the result and the narrative.
func Run[S, R any](t testing.TB, e notebook.Example[S, R], s S) (R, string) {
	t.Helper()
	var out bytes.Buffer
	res, err := e.Run(s, &out)
	if err != nil {
		t.Fatalf("%s: %v\n%s", e.Name, err, out.String())
	}
	return res, out.String()
}

// Quick runs e as the command line "-quick args..." does.
func Quick[S, R any](t testing.TB, e notebook.Example[S, R], args ...string) (R, string) {
	t.Helper()
	return Run(t, e, Settings(t, e, append([]string{"-quick"}, args...)...))
}

// Fails runs e as the command line args do and fails t unless the run
// refuses them; it returns the run's error.
func Fails[S, R any](t testing.TB, e notebook.Example[S, R], args ...string) error {
	t.Helper()
	_, err := e.Run(Settings(t, e, args...), io.Discard)
	if err == nil {
		t.Errorf("%s %q: the run succeeded, want an error", e.Name, args)
	}
	return err
}

// CheckFiles fails t unless files are, in this order, files named want
// (base names) of at least 1000 bytes each: the plots and listings a run
// says it saved.
func CheckFiles(t testing.TB, files []string, want ...string) {
	t.Helper()
	if len(files) != len(want) {
		t.Fatalf("files %v, want %v", files, want)
	}
	for i, f := range files {
		st, err := os.Stat(f)
		if err != nil || st.Size() < 1000 || filepath.Base(f) != want[i] {
			t.Errorf("%s: %v (want %s of at least 1000 bytes)", f, err, want[i])
		}
	}
}
