package main

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// checkClassIndices checks, before anything runs, the integer inputs
// (by node name) that feed a class op (crossentropy, nll: logits or
// log-probabilities [B, C] first, int64 class indices [B] second): each
// index must lie in [0, C). A bad index is bad input (exit 2) naming the
// tensor, the position and the value, as PyTorch's "Target 10 is out of
// bounds" is, not a failed check.
func checkClassIndices(g *G.ExprGraph, ints map[string]*tensor.Dense) error {
	for _, n := range g.AllNodes() {
		kids := children(g, n)
		if len(kids) != 2 || kids[0].Dims() != 2 || kids[1].Dtype() != tensor.Int64 || n.Op() == nil {
			continue
		}
		if vocab, ok := ops.EmbeddingVocab(n); ok { // token ids, not class indices
			if t, ok := ints[kids[1].Name()]; ok {
				if err := checkIDs(kids[1].Name(), t, vocab); err != nil {
					return err
				}
			}
			continue
		}
		t, ok := ints[kids[1].Name()]
		if !ok {
			continue
		}
		c := kids[0].Shape()[1]
		vals, ok := t.Data().([]int64)
		if !ok {
			continue
		}
		for i, k := range vals {
			if k < 0 || k >= int64(c) {
				return errors.Errorf("tensor %q: class index %d at position %d is out of range [0, %d) for %s", kids[1].Name(), k, i, c, n.Name())
			}
		}
	}
	return nil
}

// children are n's arguments, in order.
func children(g *G.ExprGraph, n *G.Node) []*G.Node {
	var out []*G.Node
	for it := g.From(n.ID()); it.Next(); {
		if c, ok := it.Node().(*G.Node); ok {
			out = append(out, c)
		}
	}
	return out
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
			return errors.Errorf("tensor %q: token id %d at position %v is out of the vocabulary [0, %d)", name, id, unravelIndex(i, t.Shape()), vocab)
		}
	}
	return nil
}
