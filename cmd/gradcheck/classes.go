package main

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// checkClassIndices checks, before anything runs, the integer inputs
// (by node name) that feed an op declaring class indices (ops.ClassInput:
// crossentropy, nll): each index must lie in [0, C). A bad index is bad
// input (exit 2) naming the tensor, the position and the value, as
// PyTorch's "Target 10 is out of bounds" is, not a failed check.
func checkClassIndices(g *G.ExprGraph, ints map[string]*tensor.Dense) error {
	for _, n := range g.AllNodes() {
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
