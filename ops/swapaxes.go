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

// SwapAxes is PyTorch's x.transpose(a, b).contiguous(): x with axes a and b
// exchanged, copied into a fresh row-major tensor (negative axes count from
// the end). Attention uses it to move the heads axis: [B, L, H, d] <->
// [B, H, L, d].
//
// Gradient: dL/dx = SwapAxes(g, a, b) (the swap is its own inverse), so
// SwapAxes is differentiable any number of times.
func SwapAxes(x *G.Node, a, b int) (out *G.Node, err error) {
	defer panics.Recover(&err, "swapaxes of %s", x.Name())
	if err := checkFloatNode("swapaxes", x); err != nil {
		return nil, err
	}
	if a, err = normAxis("swapaxes", x, a); err != nil {
		return nil, err
	}
	if b, err = normAxis("swapaxes", x, b); err != nil {
		return nil, err
	}
	if a == b {
		return x, nil
	}
	op := &swapOp{a: min(a, b), b: max(a, b), in: x.Shape().Clone()}
	out, err = Apply(op, x)
	return out, errors.Wrapf(err, "%v", op)
}

// swapOp exchanges axes a < b of a tensor of shape in.
type swapOp struct {
	unaryBase
	a, b int
	in   tensor.Shape
}

var (
	_ G.SDOp            = (*swapOp)(nil)
	_ G.UsePreallocDoer = (*swapOp)(nil)
)

func (op *swapOp) outShape(s tensor.Shape) (tensor.Shape, error) {
	if !equalDims(s, op.in) {
		return nil, errors.Errorf("%v: input has shape %v", op, s)
	}
	out := s.Clone()
	out[op.a], out[op.b] = out[op.b], out[op.a]
	return out, nil
}

// isOutShape reports whether s is the input shape with the axes exchanged
// (without building it: UsePreallocDo allocates nothing).
func (op *swapOp) isOutShape(s tensor.Shape) bool {
	if len(s) != len(op.in) {
		return false
	}
	for i, d := range s {
		j := i
		switch i {
		case op.a:
			j = op.b
		case op.b:
			j = op.a
		}
		if d != op.in[j] {
			return false
		}
	}
	return true
}

// blocks splits the input shape as [p, A, q, B, r] around the two axes.
func (op *swapOp) blocks() (p, na, q, nb, r int) {
	p, q, r = 1, 1, 1
	for i, d := range op.in {
		switch {
		case i < op.a:
			p *= d
		case i > op.a && i < op.b:
			q *= d
		case i > op.b:
			r *= d
		}
	}
	return p, op.in[op.a], q, op.in[op.b], r
}

func (op *swapOp) Type() hm.Type {
	t := G.TensorType{Dims: len(op.in), Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t)
}
func (op *swapOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return inferUnary(op, in) }
func (op *swapOp) Do(vs ...G.Value) (G.Value, error)                 { return doUnary(op, vs) }

// UsePreallocDo copies x into prealloc with the axes exchanged.
func (op *swapOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	x, err := denseOfDims(vs[0], vs[0].Dtype())
	if err != nil || !equalDims(x.Shape(), op.in) {
		return nil, errors.Errorf("%v: input is %v (%v)", op, vs[0].Shape(), err)
	}
	y, err := denseOfDims(prealloc, x.Dtype())
	if err != nil || !op.isOutShape(y.Shape()) {
		want, _ := op.outShape(op.in)
		return nil, errors.Errorf("%v: output is %v, want %v (%v)", op, prealloc.Shape(), want, err)
	}
	switch x.Dtype() {
	case tensor.Float64:
		swapKernel(op, x.Float64s(), y.Float64s())
	case tensor.Float32:
		swapKernel(op, x.Float32s(), y.Float32s())
	default:
		return nil, errors.Errorf("%v: dtype %v, want float64 or float32", op, x.Dtype())
	}
	return prealloc, nil
}

// swapKernel copies x [p, A, q, B, r] to y [p, B, q, A, r], r at a time.
func swapKernel[T float32 | float64](op *swapOp, x, y []T) {
	p, na, q, nb, r := op.blocks()
	for i := range p {
		for j := range na {
			for k := range q {
				for l := range nb {
					src := (((i*na+j)*q+k)*nb + l) * r
					dst := (((i*nb+l)*q+k)*na + j) * r
					copy(y[dst:dst+r], x[src:src+r])
				}
			}
		}
	}
}

func (op *swapOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *swapOp) Hashcode() uint32      { return hashOf(op) }
func (op *swapOp) String() string {
	return fmt.Sprintf("swapaxes(%d,%d of %v)", op.a, op.b, []int(op.in))
}

// SymDiff is dL/dx = SwapAxes(g, a, b).
func (op *swapOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	out, _ := op.outShape(op.in)
	gx, err := Apply(&swapOp{a: op.a, b: op.b, in: out}, g)
	return G.Nodes{gx}, err
}

func init() {
	Register(&Spec{Name: "swapaxes", Family: "shape", Forward: "swapaxes(x, a, b) = x with axes a and b exchanged (torch's x.transpose(a, b), copied)",
		Gradient: "swapaxes(g, a, b)",
		Notes:    "symgrad op with a preallocated output; the heads axis of attention.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			ax, err := intParams("swapaxes", p)
			if err != nil {
				return nil, err
			}
			if len(ax) != 2 {
				return nil, errors.Errorf("swapaxes takes two axes, got %v", p)
			}
			return SwapAxes(n[0], ax[0], ax[1])
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 2,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 3, 2, 4}, Domain: Real}}, Params: []float64{1, 2}},
		Dtypes:  floats, TwiceDifferentiable: true})
}

// KindSwapAxes is the kind of SwapAxes (and SwapLast).
var KindSwapAxes = NewKind("swapaxes")

// Identity is KindSwapAxes.
func (op *swapOp) Identity() Identity { return Identity{Kind: KindSwapAxes} }
