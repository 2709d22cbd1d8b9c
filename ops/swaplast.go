package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
)

// SwapLast swaps the last two axes of x [..., A, B] into a contiguous
// [..., B, A] (PyTorch's x.transpose(-2, -1) followed by contiguous()),
// written into a preallocated output: out[..., j, i] = x[..., i, j].
//
// Gradient: dx = SwapLast(g) (the map is its own adjoint).
func SwapLast(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "swaplast of %s", x.Name())
	if err := checkFloatNode("swaplast", x); err != nil {
		return nil, err
	}
	if x.Dims() < 2 {
		return nil, errors.Errorf("swaplast: %s has shape %v, want at least 2 axes", x.Name(), x.Shape())
	}
	out, err = G.ApplyOp(&swapOp{in: x.Shape().Clone()}, x)
	return out, errors.Wrapf(err, "swaplast of %s %v", x.Name(), x.Shape())
}

type swapOp struct{ in tensor.Shape }

var (
	_ G.SDOp            = (*swapOp)(nil)
	_ G.UsePreallocDoer = (*swapOp)(nil)
)

func (op *swapOp) outShape() tensor.Shape {
	s := op.in.Clone()
	n := len(s)
	s[n-2], s[n-1] = s[n-1], s[n-2]
	return s
}

func (op *swapOp) Arity() int { return 1 }
func (op *swapOp) Type() hm.Type {
	t := G.TensorType{Dims: len(op.in), Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t)
}
func (op *swapOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.outShape(), nil }
func (op *swapOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(op.outShape()...)), vs...)
}

// UsePreallocDo writes the swapped x into prealloc.
func (op *swapOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	x, err := denseOfDims(vs[0], vs[0].Dtype())
	if err != nil || !equalDims(x.Shape(), op.in) {
		return nil, errors.Errorf("%v: input %v, want %v (%v)", op, vs[0].Shape(), op.in, err)
	}
	y, err := denseOfDims(prealloc, x.Dtype())
	if err != nil || !equalDims(y.Shape(), op.outShape()) {
		return nil, errors.Errorf("%v: output %v, want %v (%v)", op, prealloc.Shape(), op.outShape(), err)
	}
	n := len(op.in)
	a, b := op.in[n-2], op.in[n-1]
	switch x.Dtype() {
	case tensor.Float64:
		swapKernel(x.Float64s(), y.Float64s(), a, b)
	case tensor.Float32:
		swapKernel(x.Float32s(), y.Float32s(), a, b)
	default:
		return nil, errors.Errorf("%v: dtype %v, want float64 or float32", op, x.Dtype())
	}
	return prealloc, nil
}

// swapKernel transposes every [a, b] matrix of x into y.
func swapKernel[T float32 | float64](x, y []T, a, b int) {
	for m := 0; m+a*b <= len(x); m += a * b {
		xm, ym := x[m:m+a*b], y[m:m+a*b]
		for i := 0; i < a; i++ {
			for j, v := range xm[i*b : (i+1)*b] {
				ym[j*a+i] = v
			}
		}
	}
}

func (op *swapOp) ReturnsPtr() bool      { return false }
func (op *swapOp) CallsExtern() bool     { return false }
func (op *swapOp) OverwritesInput() int  { return -1 }
func (op *swapOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *swapOp) Hashcode() uint32      { return hashOf(op) }
func (op *swapOp) String() string        { return fmt.Sprintf("swaplast%v", op.in) }
func (op *swapOp) DiffWRT(int) []bool    { return []bool{true} }

// SymDiff is dx = swaplast(g).
func (op *swapOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	d, err := SwapLast(g)
	return G.Nodes{d}, errors.Wrapf(err, "gradient of %v", op)
}

func init() {
	Register(&Spec{Name: "swaplast", Family: "shape",
		Forward:  "swaplast(x)[..., j, i] = x[..., i, j] (x [..., A, B] -> [..., B, A])",
		Gradient: "dx = swaplast(g)",
		Notes:    "symgrad op: PyTorch's x.transpose(-2, -1).contiguous() into a preallocated output (Gorgonia's Transpose allocates every run); textcnn's emb(x).transpose(1, 2).",
		Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return SwapLast(n[0]) },
		MinNodes: 1, MaxNodes: 1,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 3, 4}, Domain: Real}}},
		Dtypes:  floats, TwiceDifferentiable: true})
}
