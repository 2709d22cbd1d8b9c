package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// bceEps is the floor of p(1 - p) in BCE's gradient: PyTorch's EPSILON in
// binary_cross_entropy_backward, which is the float 1e-12 (so
// 9.99999996e-13 in double arithmetic, not 1e-12).
var bceEps = float64(float32(1e-12))

// binaryElemOp is an elementwise function z = f(x, y) of two tensors of one
// shape, evaluated in Go. Its gradient, when it has one, is built by
// grad(x, y, g) from other nodes. A nil grad makes it not differentiable:
// DiffWRT still says both inputs are, so that differentiating through it
// reaches SymDiff, whose error refuses the second derivative rather than
// letting it be silently zero.
type binaryElemOp struct {
	binaryBase
	name string // holds every attribute: the hash is the name
	f    func(x, y float64) float64
	grad func(x, y, g *G.Node) (G.Nodes, error)
}

var _ G.SDOp = (*binaryElemOp)(nil)

func (op *binaryElemOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}
func (op *binaryElemOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("%s: expected 2 inputs, got %d", op.name, len(in))
	}
	a, ok1 := in[0].(tensor.Shape)
	b, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || !a.Eq(b) {
		return nil, errors.Errorf("%s: inputs must have one shape, got %v and %v", op.name, in[0], in[1])
	}
	return a.Clone(), nil
}
func (op *binaryElemOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 2 {
		return nil, errors.Errorf("%s: expected 2 inputs, got %d", op.name, len(vs))
	}
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrap(err, op.name)
	}
	y, err := float64sOf(vs[1])
	if err != nil {
		return nil, errors.Wrap(err, op.name)
	}
	if len(x) != len(y) {
		return nil, errors.Errorf("%s: inputs of %d and %d elements", op.name, len(x), len(y))
	}
	out := make([]float64, len(x))
	for i := range x {
		out[i] = op.f(x[i], y[i])
	}
	return valueOf(out, vs[0].Shape(), dtypeOf(vs[0]))
}
func (op *binaryElemOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%s", op.name) }
func (op *binaryElemOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindBinaryElementwise is the kind of a binary elementwise function (binaryElemOp); Identity.Name is "bce" or "bce'p".
	KindBinaryElementwise = NewKind("binaryelementwise")
)

// Identity is KindBinaryElementwise.
func (op *binaryElemOp) Identity() Identity {
	return Identity{Kind: KindBinaryElementwise, Name: op.name}
}

func (op *binaryElemOp) String() string { return op.name }
func (op *binaryElemOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	if op.grad == nil {
		return nil, errors.Errorf("%s is not differentiable (not twice differentiable as part of its op)", op.name)
	}
	return op.grad(in[0], in[1], g)
}

// bceTerms is PyTorch's elementwise binary cross-entropy on a probability p
// and a target t: -(t·max(ln p, -100) + (1 - t)·max(ln(1 - p), -100)), with
// ln(1 - p) computed as PyTorch computes it (log of the rounded 1 - p, not
// log1p: at p = 1e-17 both give a loss of exactly 0).
//
// Its gradient is PyTorch's, not the derivative of the clamped formula:
// d/dp = g·(p - t) / max(p(1 - p), 1e-12) (the same as -(t/p - (1-t)/(1-p))
// where p(1 - p) ≥ 1e-12, and bounded where p saturates), and
// d/dt = g·(max(ln(1 - p), -100) - max(ln p, -100)).
func bceTerms() *binaryElemOp {
	return &binaryElemOp{name: "bce", f: func(p, t float64) float64 {
		return -(t*math.Max(math.Log(p), -100) + (1-t)*math.Max(math.Log(1-p), -100))
	}, grad: bceGrad}
}

// bceGradP is d/dp of bceTerms for an upstream gradient of one.
func bceGradP() *binaryElemOp {
	return &binaryElemOp{name: "bce'p", f: func(p, t float64) float64 {
		return (p - t) / math.Max(p*(1-p), bceEps)
	}}
}

func bceGrad(p, t, g *G.Node) (G.Nodes, error) {
	b := &chain{what: "BCE gradient"}
	dp := b.mul(g, b.apply("bce'p", func() (*G.Node, error) { return Apply(bceGradP(), p, t) }))
	one := scalarLike(p, 1)
	dt := b.mul(g, b.sub(b.elem(clampedLogOp(), b.sub(one, p)), b.elem(clampedLogOp(), p)))
	if b.err != nil {
		return nil, b.err
	}
	return G.Nodes{dp, dt}, nil
}
