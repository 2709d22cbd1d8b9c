package ops

import (
	"unsafe"

	"gorgonia.org/tensor"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops/kernels"
)

// The embeddable bases of symgrad's ops (the methods every op would
// otherwise repeat) and small helpers their methods share.

// opBase holds the methods every symgrad op shares: its value is a fresh
// value (not a pointer into an input), it calls no extern code and
// overwrites none of its inputs.
type opBase struct{}

// ReturnsPtr is false.
func (opBase) ReturnsPtr() bool { return false }

// CallsExtern is false.
func (opBase) CallsExtern() bool { return false }

// OverwritesInput is -1 (none).
func (opBase) OverwritesInput() int { return -1 }

// unaryBase is opBase for an op of one input, which it is differentiable
// in.
type unaryBase struct{ opBase }

// Arity is 1.
func (unaryBase) Arity() int { return 1 }

// DiffWRT is [true].
func (unaryBase) DiffWRT(int) []bool { return []bool{true} }

// binaryBase is opBase for an op of two inputs, differentiable in both.
type binaryBase struct{ opBase }

// Arity is 2.
func (binaryBase) Arity() int { return 2 }

// DiffWRT is [true, true].
func (binaryBase) DiffWRT(int) []bool { return []bool{true, true} }

// applyAdjoint is the gradient of a linear unary op whose gradient is
// another op (its adjoint) applied to g.
func applyAdjoint(op, adjoint G.Op, g *G.Node) (G.Nodes, error) {
	d, err := Apply(adjoint, g)
	return G.Nodes{d}, errors.Wrapf(err, "gradient of %v", op)
}

// gradients collects an op's input gradients in order as SymDiff builds
// them, keeping the first error (the later builders then do not matter).
type gradients struct {
	nodes G.Nodes
	err   error
}

// add appends n, the gradient built next, unless an earlier one failed.
func (d *gradients) add(n *G.Node, err error) {
	if d.err == nil {
		d.nodes, d.err = append(d.nodes, n), err
	}
}

// of is SymDiff's result for op: the gradients, or the first error.
func (d *gradients) of(op G.Op) (G.Nodes, error) {
	return d.nodes, errors.Wrapf(d.err, "gradient of %v", op)
}

// fnType is the type in -> out of a unary op, or out -> in for its
// adjoint.
func fnType(adjoint bool, in, out hm.Type) hm.Type {
	if adjoint {
		return hm.NewFnType(out, in)
	}
	return hm.NewFnType(in, out)
}

// floatsOrNil is d's elements as a []T, without copying or allocating, or
// nil for a nil d. d's dtype must be T.
func floatsOrNil[T kernels.Float](d *tensor.Dense) []T {
	if d == nil {
		return nil
	}
	var zero T
	if unsafe.Sizeof(zero) == 8 {
		s := d.Float64s()
		return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
	}
	s := d.Float32s()
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// allTrue is n trues: an op differentiable in each of its n inputs.
func allTrue(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}

// choose is yes if c, else no.
func choose[T any](c bool, yes, no T) T {
	if c {
		return yes
	}
	return no
}
