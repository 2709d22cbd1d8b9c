package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// elemOp is an elementwise function y = f(x) evaluated in Go (so that its
// forward value can use a numerically stable form), whose symbolic gradient
// is g ⊙ f'(x) with f' itself an elemOp (so the gradient can be
// differentiated again as long as the chain of derivatives goes on).
//
// name must hold every attribute of the op (its parameters), because the
// hash is the name: two elemOps with the same name compute the same thing
// and may be merged by Gorgonia's hash-consing.
type elemOp struct {
	unaryBase
	name  string
	f     func(float64) float64
	deriv func() *elemOp // f', nil when f' is not available (not twice differentiable)
}

var _ G.SDOp = (*elemOp)(nil)

// applyElem applies op to x.
func applyElem(op *elemOp, x *G.Node) (*G.Node, error) {
	if err := checkFloatNode(op.name, x); err != nil {
		return nil, err
	}
	out, err := Apply(op, x)
	return out, errors.Wrapf(err, "%s of %s %v", op.name, x.Name(), x.Shape())
}

// Type is a -> a.
func (op *elemOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

// InferShape returns the input's shape.
func (op *elemOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s: expected 1 input, got %d", op.name, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, errors.Errorf("%s: expected a shape, got %T", op.name, in[0])
	}
	return s.Clone(), nil
}

// Do applies f to every element.
func (op *elemOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%s: expected 1 input, got %d", op.name, len(vs))
	}
	return mapValue(op.name, vs[0], op.f)
}

// mapValue applies f elementwise to a float64 or float32 value (tensor or
// scalar) into a fresh value.
func mapValue(name string, v G.Value, f func(float64) float64) (G.Value, error) {
	switch x := v.(type) {
	case *G.F64:
		return G.NewF64(f(float64(*x))), nil
	case *G.F32:
		return G.NewF32(float32(f(float64(*x)))), nil
	case tensor.Tensor:
		d, err := dense(x)
		if err != nil {
			return nil, errors.Wrap(err, name)
		}
		out := tensor.New(tensor.Of(d.Dtype()), tensor.WithShape(d.Shape().Clone()...))
		switch d.Dtype() {
		case tensor.Float64:
			src, dst := d.Float64s(), out.Float64s()
			for i, e := range src {
				dst[i] = f(e)
			}
		case tensor.Float32:
			src, dst := d.Float32s(), out.Float32s()
			for i, e := range src {
				dst[i] = float32(f(float64(e)))
			}
		default:
			return nil, errors.Errorf("%s: unsupported dtype %v", name, d.Dtype())
		}
		return out, nil
	}
	return nil, errors.Errorf("%s: unsupported value %T", name, v)
}

// dense returns t as a contiguous *tensor.Dense (materializing views).
func dense(t tensor.Tensor) (*tensor.Dense, error) {
	if m, ok := t.(tensor.View); ok && m.IsMaterializable() {
		t = m.Materialize()
	}
	d, ok := t.(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("expected a dense tensor, got %T", t)
	}
	return d, nil
}

// WriteHash writes the op's name, which includes every attribute.
func (op *elemOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.elem.%s", op.name) }

// Hashcode hashes the name.
func (op *elemOp) Hashcode() uint32 { return hashOf(op) }

var (
	// KindElementwise is the kind of an elementwise function evaluated in Go (elemOp); Identity.Name is the function with its attributes ("relu", "leakyrelu(0.01)", "tanh'").
	KindElementwise = NewKind("elementwise")
)

// Identity is KindElementwise with the op's name.
func (op *elemOp) Identity() Identity { return Identity{Kind: KindElementwise, Name: op.name} }

func (op *elemOp) String() string { return op.name }

// SymDiff is dL/dx = g ⊙ f'(x).
func (op *elemOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if op.deriv == nil {
		return nil, errors.Errorf("%s: no symbolic derivative (not differentiable this many times)", op.name)
	}
	d, err := applyElem(op.deriv(), inputs[0])
	if err != nil {
		return nil, err
	}
	gx, err := G.HadamardProd(grad, d)
	return G.Nodes{gx}, errors.Wrapf(err, "gradient of %s", op.name)
}

// checkFloatNode reports a node that is not float64 or float32.
func checkFloatNode(what string, x *G.Node) error {
	if x == nil {
		return errors.Errorf("%s: nil node", what)
	}
	if dt := x.Dtype(); dt != tensor.Float64 && dt != tensor.Float32 {
		return errors.Errorf("%s: %s has dtype %v, want float64 or float32", what, x.Name(), dt)
	}
	return nil
}
