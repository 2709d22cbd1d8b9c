package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symgrad/symgrad/safetensors"
)

// testdata/{simplenet,mlpbn}.*.safetensors come from torch_reference.py
// (PyTorch 1.13, float64, batch 3, seed 2): PyTorch's weights, batch, and
// its loss, output and gradients for them.
func torchFiles(model string) []string {
	f := func(kind string) string { return filepath.Join("testdata", model+"."+kind+".safetensors") }
	return []string{"model", model, "--weights", f("weights"), "--batch", f("batch"), "--reference", f("reference")}
}

func TestModelMatchesPyTorch(t *testing.T) {
	for _, m := range []string{"simplenet", "mlpbn"} {
		t.Run(m, func(t *testing.T) {
			code, out, errOut := runArgs(torchFiles(m)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			for _, row := range []string{"reference loss", "reference output", "reference grad.fc1.weight", "reference grad.fc2.bias"} {
				if !strings.Contains(out, row) {
					t.Errorf("no %q row in\n%s", row, out)
				}
			}
		})
	}
}

func TestModelDump(t *testing.T) {
	dump := filepath.Join(t.TempDir(), "out.safetensors")
	args := append(torchFiles("simplenet")[:6], "--dump", dump)
	if code, out, errOut := runArgs(args...); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	f, err := safetensors.Read(dump)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"loss": "()", "output": "(3, 1)", "grad.fc1.weight": "(50, 100)", "grad.fc1.bias": "(50)",
		"grad.fc2.weight": "(1, 50)", "grad.fc2.bias": "(1)"}
	if len(f.Tensors) != len(want) {
		t.Errorf("dump holds %v, want %d tensors", f.Order, len(want))
	}
	for name, shape := range want {
		tt, ok := f.Tensors[name]
		if !ok {
			t.Errorf("dump lacks %s", name)
		} else if got := fmt.Sprint(tt.Shape()); got != shape {
			t.Errorf("%s: shape %s, want %s", name, got, shape)
		}
	}
	// Our own dump is a reference the model matches; PyTorch's reference
	// and ours agree through the same rows.
	if code, out, _ := runArgs(append(torchFiles("simplenet")[:6], "--reference", dump)...); code != 0 {
		t.Fatalf("own dump as reference: exit %d\n%s", code, out)
	}
}

func TestModelFileErrors(t *testing.T) {
	dir := t.TempDir()
	w := filepath.Join("testdata", "simplenet.weights.safetensors")
	b := filepath.Join("testdata", "simplenet.batch.safetensors")
	ref, err := safetensors.Read(filepath.Join("testdata", "simplenet.reference.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	weights, err := safetensors.Read(w)
	if err != nil {
		t.Fatal(err)
	}
	transposed := filepath.Join(dir, "transposed.safetensors")
	weights.Tensors["fc1.weight"].T()
	weights.Tensors["fc1.weight"].Transpose()
	if err := safetensors.Write(transposed, weights.Tensors, nil); err != nil {
		t.Fatal(err)
	}
	perturbed := filepath.Join(dir, "perturbed.safetensors")
	ref.Tensors["grad.fc2.bias"].Data().([]float64)[0] += 0.1
	if err := safetensors.Write(perturbed, ref.Tensors, nil); err != nil {
		t.Fatal(err)
	}
	noY := filepath.Join(dir, "noy.safetensors")
	batch, _ := safetensors.Read(b)
	delete(batch.Tensors, "y")
	if err := safetensors.Write(noY, batch.Tensors, nil); err != nil {
		t.Fatal(err)
	}
	corrupt := filepath.Join(dir, "corrupt.safetensors")
	if err := os.WriteFile(corrupt, []byte("not a safetensors file"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"transposed weight", []string{"model", "simplenet", "--weights", transposed, "--batch", b}, 2, []string{"fc1.weight", "[100 50]", "[50 100]"}},
		{"perturbed reference", []string{"model", "simplenet", "--weights", w, "--batch", b, "--reference", perturbed}, 1, []string{"reference grad.fc2.bias"}},
		{"batch without y", []string{"model", "simplenet", "--weights", w, "--batch", noY}, 2, []string{`no tensor "y"`}},
		{"corrupt weights", []string{"model", "simplenet", "--weights", corrupt}, 2, []string{"--weights", corrupt}},
		{"batch for another model", []string{"model", "lenet", "--batch", b}, 2, []string{"x has shape (3, 100)", "(3, 1, 28, 28)"}},
		{"two models", []string{"model", "simplenet", "mlpbn", "--weights", w}, 2, []string{"exactly one model"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { expectRun(t, c.args, c.code, c.want...) })
	}
}
