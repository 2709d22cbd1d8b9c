// Package asmtest checks that a package's generated assembly is what its
// avo generator writes: the test of every package with a go:generate line
// running ./internal/asmgen.
package asmtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// CheckGenerated reruns `go run ./internal/asmgen -out <asm> -stubs
// <stubs> -pkg <pkg>` (from the package's directory, the test's working
// directory) into a temporary directory, through the generator's
// ASMGEN_DIR, and fails t unless both files match the committed ones
// byte for byte. It skips under -short and without a go command.
func CheckGenerated(t *testing.T, pkg, asm, stubs string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the generator")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "run", "./internal/asmgen", "-out", asm, "-stubs", stubs, "-pkg", pkg)
	cmd.Env = append(os.Environ(), "ASMGEN_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, out)
	}
	for _, name := range []string{asm, stubs} {
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output: run go generate in %s", name, pkg)
		}
	}
}

// EnterOutputDir is a generator's first step: it moves into the directory
// named by ASMGEN_DIR, where CheckGenerated wants the files, when that is
// set (and exits the generator if it cannot).
func EnterOutputDir() {
	if dir := os.Getenv("ASMGEN_DIR"); dir != "" {
		if err := os.Chdir(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
