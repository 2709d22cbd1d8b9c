package main

import (
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/safetensors"
)

// textcnn takes int64 token ids as x through --batch: a valid batch runs
// and dumps, the dump serves as its own reference, and an id outside the
// vocabulary is bad input (exit 2) naming the id, its position and the
// vocabulary size.
func TestModelTokenBatch(t *testing.T) {
	dir := t.TempDir()
	m, err := models.Build("textcnn", models.Config{Batch: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	x, y := m.SampleBatch(4)
	good := filepath.Join(dir, "batch.safetensors")
	if err := safetensors.Write(good, map[string]*tensor.Dense{"x": x, "y": y}, nil); err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join(dir, "dump.safetensors")
	if code, out, errOut := runArgs("model", "textcnn", "--batch", good, "--dump", dump); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := runArgs("model", "textcnn", "--batch", good, "--reference", dump)
	if code != 0 || !strings.Contains(out, "reference grad.emb.weight") {
		t.Fatalf("own dump as reference: exit %d\n%s\n%s", code, out, errOut)
	}
	bad := x.Clone().(*tensor.Dense)
	bad.Int64s()[43] = 1000
	badPath := filepath.Join(dir, "bad.safetensors")
	if err := safetensors.Write(badPath, map[string]*tensor.Dense{"x": bad, "y": y}, nil); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runArgs("model", "textcnn", "--batch", badPath)
	if code != 2 {
		t.Fatalf("bad token: exit %d, want 2\n%s", code, errOut)
	}
	for _, want := range []string{`"x"`, "token id 1000", "[1 3]", "[0, 1000)"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("%q not in %s", want, errOut)
		}
	}
}

// An embedding's int64 ids in an expression are token ids checked against
// the table's rows (7), not class indices checked against its width (3):
// id 6 runs, id 7 is bad input naming the tensor, the id and the vocabulary.
func TestExprEmbeddingTokenIDs(t *testing.T) {
	dir := t.TempDir()
	w := tensor.New(tensor.WithShape(7, 3), tensor.WithBacking(make([]float64, 21)))
	for k, ids := range [][]int64{{6, 0, 3, 6}, {6, 0, 7, 1}} {
		path := filepath.Join(dir, "in.safetensors")
		i := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking(ids))
		if err := safetensors.Write(path, map[string]*tensor.Dense{"w": w, "i": i}, nil); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runArgs("expr", "embedding(w, i)", "--input", path)
		if k == 0 && code != 0 {
			t.Fatalf("valid ids: exit %d\n%s\n%s", code, out, errOut)
		}
		if k == 1 && (code != 2 || !strings.Contains(errOut, `"i"`) || !strings.Contains(errOut, "token id 7") || !strings.Contains(errOut, "[0, 7)")) {
			t.Errorf("id 7 of 7: exit %d, stderr %s", code, errOut)
		}
	}
}
