package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/symgrad/symgrad/safetensors"
)

// testdata/crossentropy.*.safetensors come from expr_reference.py (PyTorch
// 1.13): x [4,3] float64, t [4] int64 class indices, s a 0-d float64, and
// cross_entropy(x * s, t) with its gradients.
func TestExprMatchesPyTorchWithIntegerAndScalarInputs(t *testing.T) {
	dump := filepath.Join(t.TempDir(), "out.safetensors")
	code, out, errOut := runArgs("expr", "crossentropy(x * s, t)",
		"--input", filepath.Join("testdata", "crossentropy.input.safetensors"),
		"--reference", filepath.Join("testdata", "crossentropy.reference.safetensors"),
		"--dump", dump)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, row := range []string{"reference value", "reference grad.x", "reference grad.s"} {
		if !strings.Contains(out, row) {
			t.Errorf("no %q row in\n%s", row, out)
		}
	}
	if strings.Contains(out, "grad.t") {
		t.Errorf("the integer input t was differentiated:\n%s", out)
	}
	f, err := safetensors.Read(dump)
	if err != nil {
		t.Fatal(err)
	}
	if g := f.Tensors["grad.s"]; g == nil || g.Dims() != 0 {
		t.Errorf("grad.s should be 0-d like s, got %v", g)
	}
	if _, ok := f.Tensors["grad.t"]; ok {
		t.Error("dump holds grad.t for an integer input")
	}
}
