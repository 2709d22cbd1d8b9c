package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops/kernels"
	"github.com/symgrad/symgrad/ops/kernels/vmath"
)

// LogSumExp is log Σ_axis e^x, computed as m + log Σ e^(x - m) with m the
// maximum along axis, so it never overflows. axis may be negative (-1 is the
// last axis); the axis is removed from the shape.
//
// Gradient: dL/dx = g ⊙ softmax(x, axis) = g ⊙ e^(x - lse(x)), g broadcast
// along axis.
//
// Gorgonia's LogSumExp computes log(Σ e^(x-m) + m) and sums once more: its
// value is wrong (TestGorgoniaLogSumExpIsWrong).
func LogSumExp(x *G.Node, axis int) (out *G.Node, err error) {
	defer panics.Recover(&err, "logsumexp of %s", x.Name())
	if err := checkFloatNode("logsumexp", x); err != nil {
		return nil, err
	}
	a, err := normAxis("logsumexp", x, axis)
	if err != nil {
		return nil, err
	}
	out, err = Apply(&lseOp{axis: a, shape: x.Shape().Clone()}, x)
	return out, errors.Wrapf(err, "logsumexp of %s %v along %d", x.Name(), x.Shape(), a)
}

// LogSoftmax is x - logsumexp(x, axis) broadcast along axis: stable for
// any x. axis may be negative.
//
// Gradient: g - softmax(x) ⊙ Σ_axis g (through logsumexp's gradient).
func LogSoftmax(x *G.Node, axis int) (out *G.Node, err error) {
	defer panics.Recover(&err, "logsoftmax of %s", x.Name())
	lse, err := LogSumExp(x, axis)
	if err != nil {
		return nil, errors.Wrap(err, "logsoftmax")
	}
	op := OpOf(lse).(*lseOp)
	e, err := expand(lse, op.axis, op.shape)
	if err != nil {
		return nil, errors.Wrap(err, "logsoftmax")
	}
	out, err = gorgonia2(G.Sub, x, e)
	return out, errors.Wrapf(err, "logsoftmax of %s %v", x.Name(), x.Shape())
}

// Softmax is e^(logsoftmax(x, axis)): each slice along axis sums to 1;
// stable for any x (the exponent is <= 0). axis may be negative.
//
// Gradient: s ⊙ (g - Σ_axis s ⊙ g), s = softmax(x).
func Softmax(x *G.Node, axis int) (out *G.Node, err error) {
	defer panics.Recover(&err, "softmax of %s", x.Name())
	ls, err := LogSoftmax(x, axis)
	if err != nil {
		return nil, errors.Wrap(err, "softmax")
	}
	out, err = gorgonia1(G.Exp, ls)
	return out, errors.Wrap(err, "softmax")
}

func init() {
	axisSpec := func(name, fwd, grad, notes string, f func(*G.Node, int) (*G.Node, error)) {
		Register(&Spec{
			Name: name, Family: "softmax", Forward: fwd, Gradient: grad, Notes: notes,
			Build: func(n []*G.Node, p []float64) (*G.Node, error) {
				ax, err := oneInt(name, p, -1)
				if err != nil {
					return nil, err
				}
				return f(n[0], ax)
			},
			MinNodes: 1, MaxNodes: 1, MaxParams: 1,
			Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 3, 4}, Domain: Domain{Min: -3, Max: 3}}}, Params: []float64{1}},
			Dtypes:  floats, TwiceDifferentiable: true,
		})
	}
	axisSpec("logsumexp", "logsumexp(x, axis) = m + log Σ_axis e^(x - m), m = max_axis x (axis defaults to -1)",
		"g ⊙ e^(x - logsumexp(x)) (g broadcast along axis)",
		"symgrad op; stable. Gorgonia's LogSumExp computes the wrong value.", LogSumExp)
	axisSpec("logsoftmax", "logsoftmax(x, axis) = x - logsumexp(x, axis)", "g - softmax(x) ⊙ Σ_axis g",
		"Composite of logsumexp; stable for any x. Avoids Gorgonia's LogSoftMax (hashes like SoftMax, issue 569).", LogSoftmax)
	axisSpec("softmax", "softmax(x, axis) = exp(logsoftmax(x, axis))", "s ⊙ (g - Σ_axis s ⊙ g), s = softmax(x)",
		"Composite; stable for any x. Avoids Gorgonia's SoftMax and its Log(SoftMax) rewrite.", Softmax)
}

// removeAxis returns shape without axis.
func removeAxis(shape tensor.Shape, axis int) tensor.Shape {
	out := append(tensor.Shape{}, shape[:axis]...)
	return append(out, shape[axis+1:]...)
}

// typeOfDims is a tensor type of d dims over a, or a itself for d = 0.
func typeOfDims(d int, a hm.Type) hm.Type {
	if d == 0 {
		return a
	}
	return G.TensorType{Dims: d, Of: a}
}

// lseOp is logsumexp along axis of a tensor of the given shape.
type lseOp struct {
	unaryBase
	axis  int
	shape tensor.Shape
}

func (op *lseOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(typeOfDims(op.shape.Dims(), a), typeOfDims(op.shape.Dims()-1, a))
}
func (op *lseOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return removeAxis(op.shape, op.axis), nil
}
func (op *lseOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	outer, n, inner := kernels.AxisLayout(op.shape, op.axis)
	res := make([]float64, outer*inner)
	lseInto(res, x, outer, n, inner)
	return valueOf(res, removeAxis(op.shape, op.axis), dtypeOf(vs[0]))
}
func (op *lseOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *lseOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindLogSumExp is the kind of LogSumExp along Identity.Axis.
	KindLogSumExp = NewKind("logsumexp")
)

// Identity is KindLogSumExp.
func (op *lseOp) Identity() Identity { return Identity{Kind: KindLogSumExp, Axis: op.axis} }

func (op *lseOp) String() string { return fmt.Sprintf("logsumexp(axis=%d of %v)", op.axis, op.shape) }

// SymDiff is dL/dx = expand(g) ⊙ exp(x - expand(y)).
func (op *lseOp) SymDiff(in G.Nodes, y, g *G.Node) (G.Nodes, error) {
	ey, err := expand(y, op.axis, op.shape)
	if err != nil {
		return nil, err
	}
	d, err := G.Sub(in[0], ey)
	if err != nil {
		return nil, err
	}
	if d, err = G.Exp(d); err != nil {
		return nil, err
	}
	eg, err := expand(g, op.axis, op.shape)
	if err != nil {
		return nil, err
	}
	gx, err := G.HadamardProd(eg, d)
	return G.Nodes{gx}, err
}

// Logsumexp's preallocated output (the softmax of attention), computed
// as Do computes it, in the same order and precision.

var _ G.UsePreallocDoer = (*lseOp)(nil)

// UsePreallocDo writes logsumexp along the op's axis into prealloc.
func (op *lseOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	x, y, _, err := preallocOperands(op, "logsumexp", 1, vs, prealloc)
	if err != nil {
		return nil, err
	}
	outer, n, inner := kernels.AxisLayout(op.shape, op.axis)
	if x.DataSize() != outer*n*inner || y.DataSize() != outer*inner {
		return nil, errors.Errorf("%v: input %v, output %v", op, x.Shape(), y.Shape())
	}
	if x.Dtype() == tensor.Float64 {
		lseInto(floatsOrNil[float64](y), floatsOrNil[float64](x), outer, n, inner)
	} else {
		lseInto(floatsOrNil[float32](y), floatsOrNil[float32](x), outer, n, inner)
	}
	return prealloc, nil
}

// lseInto is y[o, i] = m + log Σ_k e^(x[o, k, i] - m), m = max_k x[o, k, i],
// in float64 (lseOp.Do computes with it too). Along the last axis (inner
// 1, softmax's) a row's exponentials go through vmath.Exp, a chunk at a
// time; the sum runs in k order either way.
func lseInto[T kernels.Float](y, x []T, outer, n, inner int) {
	var buf [lseChunk]float64
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			m := math.Inf(-1)
			for k := 0; k < n; k++ {
				m = math.Max(m, float64(x[(o*n+k)*inner+i]))
			}
			s := 0.0
			if inner == 1 {
				row := x[o*n : (o+1)*n]
				for lo := 0; lo < n; lo += lseChunk {
					b := buf[:min(lseChunk, n-lo)]
					for k := range b {
						b[k] = float64(row[lo+k]) - m
					}
					vmath.Exp(b, b)
					for _, e := range b {
						s += e
					}
				}
			} else {
				for k := 0; k < n; k++ {
					s += math.Exp(float64(x[(o*n+k)*inner+i]) - m)
				}
			}
			y[o*inner+i] = T(m + math.Log(s))
		}
	}
}

// lseChunk is how many exponentials of a row lseInto takes at a time.
const lseChunk = 256
