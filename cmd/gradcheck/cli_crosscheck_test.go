package main

import (
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/safetensors"
)

// Regression tests for contract mismatches found by the PyTorch cross-check
// harness (scripts/crosscheck). testdata/crosscheck_*.safetensors come from
// scripts/crosscheck/fixtures.py (PyTorch 1.13, float64), so these run
// without torch.

func crossFile(name string) string {
	return filepath.Join("testdata", "crosscheck_"+name+".safetensors")
}

// TestExprScalarValueIs0D: with 0-d inputs only, the value is 0-d as in
// PyTorch (it was [1], the shape of the graph's scalar parameters).
func TestExprScalarValueIs0D(t *testing.T) {
	cases := []struct{ src, ref string }{
		{"s * t", "scalars_mul.reference"},
		{"exp(s) * t", "scalars_exp.reference"},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			dump := filepath.Join(t.TempDir(), "out.safetensors")
			code, out, errOut := runArgs("expr", c.src, "--input", crossFile("scalars.input"),
				"--reference", crossFile(c.ref), "--dump", dump)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			f, err := safetensors.Read(dump)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := safetensors.Read(crossFile(c.ref))
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"value", "grad.s", "grad.t"} {
				got, want := f.Tensors[name], ref.Tensors[name]
				if got == nil || got.Dims() != 0 {
					t.Errorf("%s = %v, want 0-d like PyTorch's", name, got)
					continue
				}
				if g, w := got.Data().(float64), want.Data().(float64); abs(g-w) > 1e-12*abs(w) {
					t.Errorf("%s = %v, PyTorch %v", name, g, w)
				}
			}
		})
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestExprLeadingMinus: an expression starting with '-' is the expression,
// not an unknown flag; a misspelt flag is still an error.
func TestExprLeadingMinus(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"expr", "-x^2 + y", "--input", crossFile("minus.input"), "--reference", crossFile("minus.reference")}, 0, "reference grad.x"},
		{[]string{"expr", "--input", crossFile("minus.input"), "-x^2 + y", "--reference", crossFile("minus.reference")}, 0, "reference grad.y"},
		{[]string{"expr", "-(x * y)", "--var", "x=3", "--var", "y=3"}, 0, "pass"},
		{[]string{"expr", "-x", "--var", "x=2x2"}, 0, "pass"},
		{[]string{"expr", "-x", "--var", "x=2x2", "--epz", "1"}, 2, "unknown flag --epz"},
		{[]string{"expr", "x", "-x", "--var", "x=2"}, 2, "unknown flag -x"},
	}
	for _, c := range cases {
		code, out, errOut := runArgs(c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("%q: exit %d, want %d with %q\n%s\n%s", c.args, code, c.code, c.want, out, errOut)
		}
	}
}

// TestClassIndexOutOfRangeIsBadInput: a class index outside [0, C) is bad
// input (exit 2) naming the file, the tensor and the value, not a failed
// check (exit 1); PyTorch raises "Target 3 is out of bounds".
func TestClassIndexOutOfRangeIsBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"expr", "crossentropy(x, c)", "--input", crossFile("badclass.input")},
			[]string{crossFile("badclass.input"), `tensor "c"`, "class index 3 at position 2", "[0, 3)"}},
		{[]string{"expr", "nll(logsoftmax(x), c)", "--input", crossFile("badclass.input")},
			[]string{`tensor "c"`, "class index 3"}},
		{[]string{"model", "mlp", "--batch", crossFile("mlp_badclass.batch")},
			[]string{crossFile("mlp_badclass.batch"), `tensor "y"`, "class index -1 at position 1", "[0, 10)"}},
	}
	for _, c := range cases {
		wantInputError(t, c.args, c.want...)
	}
}

// TestModelFileErrorsNameTheFile: a tensor-level problem in --weights or
// --batch names the file as well as the tensor.
func TestModelFileErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	w, err := safetensors.Read(filepath.Join("testdata", "simplenet.weights.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	delete(w.Tensors, "fc2.bias")
	missing := filepath.Join(dir, "missing.safetensors")
	if err := safetensors.Write(missing, w.Tensors, nil); err != nil {
		t.Fatal(err)
	}
	b, err := safetensors.Read(filepath.Join("testdata", "simplenet.batch.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	b.Tensors["x"] = tensor.New(tensor.WithShape(3, 99), tensor.Of(tensor.Float64))
	badX := filepath.Join(dir, "badx.safetensors")
	if err := safetensors.Write(badX, b.Tensors, nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"model", "simplenet", "--weights", missing}, []string{missing, `"fc2.bias"`}},
		{[]string{"model", "simplenet", "--batch", badX}, []string{badX, "x has shape (3, 99)", "(3, 100)"}},
	}
	for _, c := range cases {
		wantInputError(t, c.args, c.want...)
	}
}

// wantInputError runs the command with args and checks that it exits 2
// with a message holding every string of want.
func wantInputError(t *testing.T, args []string, want ...string) {
	t.Helper()
	code, out, errOut := runArgs(args...)
	if code != 2 {
		t.Errorf("%q: exit %d, want 2\n%s\n%s", args, code, out, errOut)
	}
	for _, w := range want {
		if !strings.Contains(errOut, w) {
			t.Errorf("%q: message %q lacks %q", args, errOut, w)
		}
	}
}
