package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/safetensors"
)

// The tests of issue 19: what expr --dump writes when Gorgonia's node
// hashes collide, and the files it must never replace.

// TestExprForcedHashCollision checks issue 19's first row with a forced
// collision: v232789 and v429192 are names whose Gorgonia node hashes
// collide for float64 vectors of 3 (compiler/collision_test.go), so
// Gorgonia by itself builds tanh(v429192) as tanh(v232789). The value and
// both gradients must be those of the formula, and a sum of 3000 terms
// must count them all.
func TestExprForcedHashCollision(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.safetensors")
	a, b := []float64{0.3, -1.2, 0.7}, []float64{-0.4, 0.9, 2.1}
	err := safetensors.Write(in, map[string]*tensor.Dense{
		"v232789": tensor.New(tensor.WithShape(3), tensor.WithBacking(append([]float64(nil), a...))),
		"v429192": tensor.New(tensor.WithShape(3), tensor.WithBacking(append([]float64(nil), b...))),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join(dir, "out.safetensors")
	code, out, errOut := runArgs("expr", "sum(tanh(v232789)) + 2*sum(tanh(v429192))", "--input", in, "--dump", dump)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	f, err := safetensors.Read(dump)
	if err != nil {
		t.Fatal(err)
	}
	want, ga, gb := 0.0, make([]float64, 3), make([]float64, 3)
	for i := range a {
		want += math.Tanh(a[i]) + 2*math.Tanh(b[i])
		ga[i] = 1 - math.Tanh(a[i])*math.Tanh(a[i])
		gb[i] = 2 * (1 - math.Tanh(b[i])*math.Tanh(b[i]))
	}
	near := func(name string, got, want []float64) {
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Errorf("%s[%d] = %v, want %v", name, i, got[i], want[i])
			}
		}
	}
	near("value", floats(f.Tensors["value"]), []float64{want})
	near("grad.v232789", floats(f.Tensors["grad.v232789"]), ga)
	near("grad.v429192", floats(f.Tensors["grad.v429192"]), gb)

	sum := "sum(" + strings.TrimSuffix(strings.Repeat("x+", 3000), "+") + ")"
	code, out, errOut = runArgs("expr", sum, "--var", "x=1", "--dump", dump)
	if code != 0 {
		t.Fatalf("3000-term sum: exit %d\n%s%s", code, out, errOut)
	}
	if f, err = safetensors.Read(dump); err != nil {
		t.Fatal(err)
	}
	if g := floats(f.Tensors["grad.x"])[0]; g != 3000 {
		t.Errorf("d/dx of a 3000-term sum of x is %v", g)
	}
}

// floats reads a float64 tensor's elements (a 0-d tensor holds one).
func floats(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case float64:
		return []float64{d}
	case []float64:
		return d
	}
	return nil
}

// TestDumpNeverReplacesSpecialFiles checks issue 19's second row: --dump
// through a symbolic link writes the link's target and keeps the link; a
// FIFO or a device is refused with exit 2 and left as it was.
func TestDumpNeverReplacesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link.safetensors")
	target := filepath.Join(dir, "target.safetensors")
	if err := os.Symlink("target.safetensors", link); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runArgs("expr", "sum(x*x)", "--var", "x=3", "--dump", link); code != 0 {
		t.Fatalf("dump through a link: exit %d\n%s%s", code, out, errOut)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", st.Mode(), err)
	}
	if f, err := safetensors.Read(target); err != nil || f.Tensors["grad.x"] == nil {
		t.Fatalf("the link's target holds no dump: %v", err)
	}

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, "/dev/full", "/dev/null"} {
		before, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runArgs("expr", "sum(x*x)", "--var", "x=3", "--dump", path)
		if code != 2 || !strings.Contains(errOut, path) || !strings.Contains(errOut, "not a regular file") {
			t.Errorf("--dump %s: exit %d, stderr %q; want 2 and a message naming it", path, code, errOut)
		}
		if after, _ := os.Lstat(path); after.Mode() != before.Mode() {
			t.Errorf("--dump %s changed it from %v to %v", path, before.Mode(), after.Mode())
		}
	}
}
