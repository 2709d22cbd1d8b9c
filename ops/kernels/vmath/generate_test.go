package vmath

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedAssembly reruns the avo generator (the go:generate line in
// select_amd64.go) into a temporary directory and checks that it
// reproduces the committed exp_amd64.s and exp_amd64.go byte for byte.
func TestGeneratedAssembly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the generator")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "run", "./internal/asmgen", "-out", "exp_amd64.s", "-stubs", "exp_amd64.go", "-pkg", "vmath")
	cmd.Env = append(os.Environ(), "ASMGEN_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, out)
	}
	for _, name := range []string{"exp_amd64.s", "exp_amd64.go"} {
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output: run go generate ./ops/kernels/vmath/...", name)
		}
	}
}
