package main

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/ops"
)

// checkClassIndices checks, before anything runs, the integer inputs
// (by node name) that feed an op declaring class indices (ops.ClassInput:
// crossentropy, nll): each index must lie in [0, C). A bad index is bad
// input (exit 2) naming the tensor, the position and the value, as
// PyTorch's "Target 10 is out of bounds" is, not a failed check.
func checkClassIndices(g *G.ExprGraph, ints map[string]*tensor.Dense) error {
	for _, n := range g.AllNodes() {
		if vocab, ok := ops.EmbeddingVocab(n); ok { // token ids, not class indices
			if kids := ops.Inputs(n); len(kids) == 2 {
				if t, ok := ints[kids[1].Name()]; ok {
					if err := checkIDs(kids[1].Name(), t, vocab); err != nil {
						return err
					}
				}
			}
			continue
		}
		classes, c, ok := ops.ClassInput(n)
		if !ok {
			continue
		}
		t, ok := ints[classes.Name()]
		if !ok {
			continue
		}
		vals, ok := t.Data().([]int64)
		if !ok {
			continue
		}
		for i, k := range vals {
			if k < 0 || k >= int64(c) {
				return errors.Errorf("tensor %q: class index %d at position %d is out of range [0, %d) for %s", classes.Name(), k, i, c, n.Name())
			}
		}
	}
	return nil
}

// checkTokenIDs checks, before anything runs, that the int64 token ids x
// of a model with a vocabulary of vocab (vocab 0: no vocabulary) lie in
// [0, vocab): a bad id is bad input (exit 2) naming the tensor, the
// position and the id.
func checkTokenIDs(x *tensor.Dense, vocab int) error {
	if vocab <= 0 {
		return nil
	}
	return checkIDs("x", x, vocab)
}

// checkIDs checks that the int64 token ids t (tensor name) lie in
// [0, vocab).
func checkIDs(name string, t *tensor.Dense, vocab int) error {
	ids, ok := t.Data().([]int64)
	if !ok {
		return errors.Errorf("tensor %q has dtype %v, want int64 token ids", name, t.Dtype())
	}
	for i, id := range ids {
		if id < 0 || id >= int64(vocab) {
			return errors.Errorf("tensor %q: token id %d at position %v is out of the vocabulary [0, %d)", name, id, floatdense.Unravel(i, t.Shape()), vocab)
		}
	}
	return nil
}
