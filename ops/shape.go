package ops

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/internal/panics"
)

// Transpose permutes the axes of x: out.shape[i] = x.shape[perm[i]]; no
// permutation reverses the axes. Gradient: g transposed by the inverse
// permutation.
func Transpose(x *G.Node, perm ...int) (out *G.Node, err error) {
	defer panics.Recover(&err, "transpose of %s", x.Name())
	if len(perm) > 0 {
		if perm, err = normAxes("transpose", x, perm); err != nil {
			return nil, err
		}
		if len(perm) != x.Dims() {
			return nil, errors.Errorf("transpose: permutation %v of %s %v needs %d axes", perm, x.Name(), x.Shape(), x.Dims())
		}
	}
	out, err = applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.Transpose(in[0], perm...) }, x)
	return out, errors.Wrapf(err, "transpose of %s %v by %v", x.Name(), x.Shape(), perm)
}

// Reshape gives x a new shape with the same number of elements.
// Gradient: g reshaped to x's shape.
func Reshape(x *G.Node, shape ...int) (out *G.Node, err error) {
	defer panics.Recover(&err, "reshape of %s", x.Name())
	if err := checkFloatNode("reshape", x); err != nil {
		return nil, err
	}
	to := tensor.Shape(shape)
	if x.IsScalar() || len(shape) == 0 || to.TotalSize() != x.Shape().TotalSize() {
		return nil, errors.Errorf("reshape: cannot reshape %s %v to %v", x.Name(), x.Shape(), to)
	}
	out, err = Apply(&reshapeOp{from: x.Shape().Clone(), to: to.Clone()}, x)
	return out, errors.Wrapf(err, "reshape of %s %v to %v", x.Name(), x.Shape(), to)
}

// reshapeOp copies its input into a tensor of a new shape.
//
// Gorgonia's Reshape returns a view of its input's memory; when the input
// is a parameter and the next op works in place (the tape machine lets
// HadamardProd overwrite a single-use input), every run overwrites the
// parameter (TestReshapeDoesNotOverwriteItsInput). reshapeOp returns a
// fresh copy.
type reshapeOp struct {
	unaryBase
	from, to tensor.Shape
}

func (op *reshapeOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: op.from.Dims(), Of: a}, G.TensorType{Dims: op.to.Dims(), Of: a})
}
func (op *reshapeOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.to.Clone(), nil }
func (op *reshapeOp) Do(vs ...G.Value) (G.Value, error) {
	t, ok := vs[0].(tensor.Tensor)
	if !ok {
		return nil, errors.Errorf("%v: expected a tensor, got %T", op, vs[0])
	}
	d, err := dense(t)
	if err != nil {
		return nil, err
	}
	c := d.Clone().(*tensor.Dense)
	return c, errors.Wrapf(c.Reshape(op.to...), "%v", op)
}

var _ G.UsePreallocDoer = (*reshapeOp)(nil)

// UsePreallocDo copies x's values, in row-major order, into prealloc (a
// tensor of the new shape).
func (op *reshapeOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	x, err := denseOfDims(vs[0], vs[0].Dtype())
	if err != nil || !equalDims(x.Shape(), op.from) {
		return nil, errors.Errorf("%v: input is %v, want %v (%v)", op, vs[0].Shape(), op.from, err)
	}
	y, err := denseOfDims(prealloc, x.Dtype())
	if err != nil || !equalDims(y.Shape(), op.to) {
		return nil, errors.Errorf("%v: output is %v, want %v (%v)", op, prealloc.Shape(), op.to, err)
	}
	if !floatdense.Copy(y, x) {
		return nil, errors.Errorf("%v: dtype %v, want float64 or float32", op, x.Dtype())
	}
	return prealloc, nil
}

func (op *reshapeOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *reshapeOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindReshape is the kind of symgrad's copying Reshape.
	KindReshape = NewKind("reshape")
)

// Identity is KindReshape.
func (op *reshapeOp) Identity() Identity { return Identity{Kind: KindReshape} }

func (op *reshapeOp) String() string { return fmt.Sprintf("reshape%v->%v", op.from, op.to) }

// SymDiff reshapes g back: dL/dx = reshape(g, x.shape).
func (op *reshapeOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	gx, err := Apply(&reshapeOp{from: op.to, to: op.from}, grad)
	return G.Nodes{gx}, err
}

// hashOf hashes an op's WriteHash.
func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// Concat joins xs along axis (negative counts from the end); all other
// dimensions must agree. A symgrad op with a preallocated output (copying
// blocks of each piece). Gradient: g sliced back into the pieces, each a
// copying slice with a preallocated output whose gradient is the zero pad
// (so twice differentiable).
func Concat(axis int, xs ...*G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "concat")
	if len(xs) < 2 {
		return nil, errors.Errorf("concat: need at least 2 nodes, got %d", len(xs))
	}
	a, err := normAxis("concat", xs[0], axis)
	if err != nil {
		return nil, err
	}
	for _, x := range xs[1:] {
		if err := checkFloatNode("concat", x); err != nil {
			return nil, err
		}
		s0, s := xs[0].Shape(), x.Shape()
		ok := len(s) == len(s0) && x.Dtype() == xs[0].Dtype()
		for i := 0; ok && i < len(s); i++ {
			ok = i == a || s[i] == s0[i]
		}
		if !ok {
			return nil, errors.Errorf("concat along %d: %s %v %v does not fit %s %v %v", a, x.Name(), x.Shape(), x.Dtype(), xs[0].Name(), s0, xs[0].Dtype())
		}
	}
	out, err = Apply(newConcatOp(a, xs), xs...)
	return out, errors.Wrapf(err, "concat along %d", a)
}

// SliceAlong takes x[..., start:end, ...] on one axis (negative axis counts
// from the end), a copy (Narrow). Gradient: g placed in the slice's
// position, 0 elsewhere.
//
// It is not Gorgonia's Slice: that op hashes its bounds modulo 256, so
// G.Slice(x, 0:128) and G.Slice(x, 256:384) of one x hash alike and
// Gorgonia's hash-consing returns the first node for the second, silently
// (TestSliceBoundsPast256StayApart).
func SliceAlong(x *G.Node, axis, start, end int) (out *G.Node, err error) {
	defer panics.Recover(&err, "slice of %s", x.Name())
	if err := checkFloatNode("slice", x); err != nil {
		return nil, err
	}
	a, err := normAxis("slice", x, axis)
	if err != nil {
		return nil, err
	}
	if start < 0 || end > x.Shape()[a] || start >= end {
		return nil, errors.Errorf("slice: [%d:%d] out of range for axis %d of %s %v", start, end, a, x.Name(), x.Shape())
	}
	return Narrow(x, a, start, end-start)
}

func init() {
	Register(&Spec{
		Name: "transpose", Family: "shape",
		Forward: "transpose(x, perm...): out.shape[i] = x.shape[perm[i]] (none = reverse)", Gradient: "g transposed by the inverse permutation",
		Notes: "Gorgonia's Transpose.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			perm, err := intParams("transpose", p)
			if err != nil {
				return nil, err
			}
			return Transpose(n[0], perm...)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 4,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 3, 4}, Domain: Real}}, Params: []float64{1, 2, 0}},
		Dtypes:  floats, TwiceDifferentiable: true,
	})
	Register(&Spec{
		Name: "reshape", Family: "shape",
		Forward: "reshape(x, shape...) = x with a new shape of the same size", Gradient: "g reshaped to x's shape",
		Notes: "symgrad op: Gorgonia's Reshape aliases its input, which a following in-place op then overwrites (TestReshapeDoesNotOverwriteItsInput).",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			shape, err := intParams("reshape", p)
			if err != nil {
				return nil, err
			}
			return Reshape(n[0], shape...)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 6,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 6}, Domain: Real}}, Params: []float64{3, 4}},
		Dtypes:  floats, TwiceDifferentiable: true,
	})
	Register(&Spec{
		Name: "concat", Family: "shape",
		Forward: "concat(x1, x2, ..., axis) joins the nodes along axis", Gradient: "g sliced back into the pieces",
		Notes: "symgrad op with preallocated outputs (forward and the slices of its gradient; Gorgonia's Concat allocates on every call). The axis is the trailing numeric argument.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			ax, err := oneInt("concat", p, 0)
			if err != nil {
				return nil, err
			}
			return Concat(ax, n...)
		},
		MinNodes: 2, MaxNodes: -1, MaxParams: 1,
		Example: Example{Inputs: []Input{{Name: "a", Shape: []int{2, 3}, Domain: Real}, {Name: "b", Shape: []int{2, 2}, Domain: Real}}, Params: []float64{1}},
		Dtypes:  floats, TwiceDifferentiable: true,
	})
	Register(&Spec{
		Name: "slice", Family: "shape",
		Forward: "slice(x, axis, start, end) = x[..., start:end, ...] on axis", Gradient: "g in the slice's place, 0 elsewhere",
		Notes: "a copy (Narrow), not Gorgonia's Slice, whose hash keeps its bounds modulo 256 only (x[0:128] and x[256:384] merge).",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			q, err := intParams("slice", p)
			if err != nil {
				return nil, err
			}
			if len(q) != 3 {
				return nil, errors.Errorf("slice takes 3 numeric arguments (axis, start, end), got %d", len(q))
			}
			return SliceAlong(n[0], q[0], q[1], q[2])
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 3,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{3, 5}, Domain: Real}}, Params: []float64{1, 1, 4}},
		Dtypes:  floats, TwiceDifferentiable: true,
	})
}

// oneInt returns the single optional integer param, or def when absent.
func oneInt(what string, p []float64, def int) (int, error) {
	if len(p) == 0 {
		return def, nil
	}
	q, err := intParams(what, p)
	if err != nil {
		return 0, err
	}
	return q[0], nil
}

// oneFloat returns the single optional param, or def when absent.
func oneFloat(p []float64, def float64) float64 {
	if len(p) == 0 {
		return def
	}
	return p[0]
}

// shapedUnaryOp is a one-input op whose output shape follows from its
// input's and that computes into a preallocated output: inferUnary and
// doUnary give it InferShape and Do.
type shapedUnaryOp interface {
	fmt.Stringer
	outShape(in tensor.Shape) (tensor.Shape, error)
	UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error)
}

// inferUnary is InferShape for a shapedUnaryOp.
func inferUnary(op shapedUnaryOp, in []G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, errors.Errorf("%v: expected a shape, got %T", op, in[0])
	}
	return op.outShape(s)
}

// doUnary is Do for a shapedUnaryOp: it allocates the output and computes
// into it.
func doUnary(op shapedUnaryOp, vs []G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	s, err := op.outShape(vs[0].Shape())
	if err != nil {
		return nil, err
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(s...)), vs...)
}

// SwapLast swaps the last two axes of x [..., A, B] into a contiguous
// [..., B, A] (PyTorch's x.transpose(-2, -1) followed by contiguous()),
// written into a preallocated output: out[..., j, i] = x[..., i, j].
//
// Gradient: dx = SwapLast(g) (the map is its own adjoint). It is
// SwapAxes(x, -2, -1), one op for both.
func SwapLast(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "swaplast of %s", x.Name())
	if err := checkFloatNode("swaplast", x); err != nil {
		return nil, err
	}
	if x.Dims() < 2 {
		return nil, errors.Errorf("swaplast: %s has shape %v, want at least 2 axes", x.Name(), x.Shape())
	}
	return SwapAxes(x, -2, -1)
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

// Narrow is PyTorch's x.narrow(axis, start, length).contiguous():
// x[..., start:start+length, ...] on one axis (negative counts from the
// end), copied into a preallocated output (no view of x). Attention uses
// it to cut the packed q, k, v projections apart.
//
// Gradient: g placed at [start, start+length) of a zero tensor of x's shape
// (the adjoint copy, whose own gradient is Narrow again), so Narrow is
// differentiable any number of times.
func Narrow(x *G.Node, axis, start, length int) (out *G.Node, err error) {
	defer panics.Recover(&err, "narrow of %s", x.Name())
	if err := checkFloatNode("narrow", x); err != nil {
		return nil, err
	}
	a, err := normAxis("narrow", x, axis)
	if err != nil {
		return nil, err
	}
	if start < 0 || length <= 0 || start+length > x.Shape()[a] {
		return nil, errors.Errorf("narrow: [%d:%d] out of range for axis %d of %s %v", start, start+length, a, x.Name(), x.Shape())
	}
	op := newAlongOp(false, a, start, start+length, x.Shape())
	out, err = Apply(op, x)
	return out, errors.Wrapf(err, "narrow [%d:%d] on axis %d of %s %v", start, start+length, a, x.Name(), x.Shape())
}

func init() {
	Register(&Spec{Name: "narrow", Family: "shape", Forward: "narrow(x, axis, start, length) = x[…, start:start+length, …] on axis (a copy)",
		Gradient: "g placed at [start, start+length) on axis of zeros of x's shape",
		Notes:    "symgrad op with a preallocated output (Gorgonia's Slice is a view); twice differentiable.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			ps, err := intParams("narrow", p)
			if err != nil {
				return nil, err
			}
			if len(ps) != 3 {
				return nil, errors.Errorf("narrow takes axis, start and length, got %v", p)
			}
			return Narrow(n[0], ps[0], ps[1], ps[2])
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 3,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{3, 6, 2}, Domain: Real}}, Params: []float64{1, 2, 3}},
		Dtypes:  floats, TwiceDifferentiable: true})
}

// symgrad's concatenation and its gradient, with preallocated outputs so
// that the planned executor runs them without allocating (Gorgonia's
// Concat and the slices of its gradient allocate on every call).
//
// Along axis a, a contiguous row-major tensor of shape s is outer(s) =
// s[0]·…·s[a-1] blocks of inner(s) = s[a]·…·s[n-1] values; concatenation
// copies the blocks of each piece in turn into the output's blocks.

// concatOp joins its inputs along axis: out = [x1, x2, ...] on axis.
// Gradient: piece i of g (a copying slice, alongOp) for each input.
type concatOp struct {
	opBase
	axis   int
	shapes []tensor.Shape // the inputs'
	out    tensor.Shape
}

var (
	_ G.SDOp            = (*concatOp)(nil)
	_ G.UsePreallocDoer = (*concatOp)(nil)
)

func newConcatOp(axis int, xs []*G.Node) *concatOp {
	op := &concatOp{axis: axis, out: xs[0].Shape().Clone()}
	op.out[axis] = 0
	for _, x := range xs {
		op.shapes = append(op.shapes, x.Shape().Clone())
		op.out[axis] += x.Shape()[axis]
	}
	return op
}

// outer is the number of blocks of a shape along axis (the product of the
// dimensions before it).
func outer(s tensor.Shape, axis int) int {
	n := 1
	for _, d := range s[:axis] {
		n *= d
	}
	return n
}

func (op *concatOp) Arity() int { return len(op.shapes) }
func (op *concatOp) Type() hm.Type {
	t := G.TensorType{Dims: len(op.out), Of: hm.TypeVariable('a')}
	ts := make([]hm.Type, len(op.shapes)+1)
	for i := range ts {
		ts[i] = t
	}
	return hm.NewFnType(ts...)
}
func (op *concatOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.out.Clone(), nil }
func (op *concatOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) == 0 {
		return nil, errors.Errorf("%v: no inputs", op)
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(op.out...)), vs...)
}

// UsePreallocDo copies the inputs' blocks into prealloc.
func (op *concatOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != len(op.shapes) {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, len(op.shapes), len(vs))
	}
	y, err := denseOfDims(prealloc, vs[0].Dtype())
	if err != nil || !equalDims(y.Shape(), op.out) {
		return nil, errors.Errorf("%v: output is %v, want %v (%v)", op, prealloc.Shape(), op.out, err)
	}
	blocks, yInner := outer(op.out, op.axis), op.out.TotalSize()/max(outer(op.out, op.axis), 1)
	off := 0
	for i, v := range vs {
		x, err := denseOfDims(v, y.Dtype())
		if err != nil || !equalDims(x.Shape(), op.shapes[i]) {
			return nil, errors.Errorf("%v: input %d is %v, want %v (%v)", op, i, v.Shape(), op.shapes[i], err)
		}
		inner := op.shapes[i].TotalSize() / max(blocks, 1)
		if y.Dtype() == tensor.Float64 {
			copyBlocks(y.Float64s(), x.Float64s(), blocks, yInner, inner, off, false)
		} else {
			copyBlocks(y.Float32s(), x.Float32s(), blocks, yInner, inner, off, false)
		}
		off += inner
	}
	return prealloc, nil
}

// copyBlocks copies, for each of blocks blocks, the inner values of small
// into big's block (bigInner values) at offset off; or back (fromBig).
func copyBlocks[T float32 | float64](big, small []T, blocks, bigInner, inner, off int, fromBig bool) {
	for b := range blocks {
		bs, ss := big[b*bigInner+off:b*bigInner+off+inner], small[b*inner:(b+1)*inner]
		if fromBig {
			copy(ss, bs)
		} else {
			copy(bs, ss)
		}
	}
}

func (op *concatOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "symgrad.concat(axis=%d,%v)", op.axis, op.shapes)
}
func (op *concatOp) Hashcode() uint32 { return hashOf(op) }

// Identity is KindConcat.
func (op *concatOp) Identity() Identity { return Identity{Kind: KindConcat, Axis: op.axis} }

// String is Gorgonia's concat's, which compiler/expr formats as concat(...).
func (op *concatOp) String() string       { return fmt.Sprintf("Concat(axis=%d)", op.axis) }
func (op *concatOp) DiffWRT(n int) []bool { return allTrue(n) }

// SymDiff slices g back into the pieces: dL/dx_i = g[..., o_i:o_i+n_i, ...].
func (op *concatOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	out, err := ConcatPieces(grad, op.axis, in)
	return out, errors.Wrapf(err, "gradient of %v", op)
}

// ConcatPieces is the gradient of a concatenation of in along axis: the
// pieces of its upstream gradient grad, each a copy (alongOp) in its
// input's place. The compiler differentiates Gorgonia's Concat with it:
// Gorgonia's own SymDiff cuts grad with its sliceOp, whose bounds hash
// modulo 256, so in a concatenation past 256 columns two pieces can merge
// into one node and an input receive another's gradient
// (TestGorgoniaConcatGradientPast256).
func ConcatPieces(grad *G.Node, axis int, in G.Nodes) (G.Nodes, error) {
	out := make(G.Nodes, len(in))
	start := 0
	for i, x := range in {
		if x.Dims() <= axis || x.Dims() != grad.Dims() {
			return nil, errors.Errorf("concat gradient: piece %d %v does not fit the gradient %v along %d", i, x.Shape(), grad.Shape(), axis)
		}
		end := start + x.Shape()[axis]
		var err error
		if out[i], err = Apply(newAlongOp(false, axis, start, end, grad.Shape()), grad); err != nil {
			return nil, errors.Wrapf(err, "concat gradient, piece %d", i)
		}
		start = end
	}
	return out, nil
}

// alongOp copies x[..., start:end, ...] on axis out of a tensor of shape
// full (pad false), or places its input there in a zero tensor of shape
// full (pad true). The two are each other's adjoint and gradient.
type alongOp struct {
	unaryBase
	pad              bool
	axis, start, end int
	full, part       tensor.Shape // part: the slice's shape
}

func newAlongOp(pad bool, axis, start, end int, full tensor.Shape) *alongOp {
	part := full.Clone()
	part[axis] = end - start
	return &alongOp{pad: pad, axis: axis, start: start, end: end, full: full.Clone(), part: part}
}

var (
	_ G.SDOp            = (*alongOp)(nil)
	_ G.UsePreallocDoer = (*alongOp)(nil)
)

// shapes returns the input's and the output's shapes (not copies).
func (op *alongOp) shapes() (in, out tensor.Shape) {
	if op.pad {
		return op.part, op.full
	}
	return op.full, op.part
}

func (op *alongOp) Type() hm.Type {
	t := G.TensorType{Dims: len(op.full), Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t)
}
func (op *alongOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	_, out := op.shapes()
	return out.Clone(), nil
}
func (op *alongOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	_, out := op.shapes()
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(out...)), vs...)
}

// UsePreallocDo writes the slice (or the zero-padded input) into prealloc.
func (op *alongOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	inShape, outShape := op.shapes()
	x, err := denseOfDims(vs[0], vs[0].Dtype())
	if err != nil || !equalDims(x.Shape(), inShape) {
		return nil, errors.Errorf("%v: input is %v, want %v (%v)", op, vs[0].Shape(), inShape, err)
	}
	y, err := denseOfDims(prealloc, x.Dtype())
	if err != nil || !equalDims(y.Shape(), outShape) {
		return nil, errors.Errorf("%v: output is %v, want %v (%v)", op, prealloc.Shape(), outShape, err)
	}
	big, small := x, y
	if op.pad {
		big, small = y, x
	}
	blocks := outer(op.full, op.axis)
	bigInner := op.full.TotalSize() / max(blocks, 1)
	inner := bigInner / op.full[op.axis] * (op.end - op.start)
	off := bigInner / op.full[op.axis] * op.start
	if big.Dtype() == tensor.Float64 {
		alongKernel(big.Float64s(), small.Float64s(), blocks, bigInner, inner, off, op.pad)
	} else {
		alongKernel(big.Float32s(), small.Float32s(), blocks, bigInner, inner, off, op.pad)
	}
	return prealloc, nil
}

// alongKernel slices (pad false) or zero-pads (pad true) along blocks.
func alongKernel[T float32 | float64](big, small []T, blocks, bigInner, inner, off int, pad bool) {
	if pad {
		clear(big)
	}
	copyBlocks(big, small, blocks, bigInner, inner, off, !pad)
}

func (op *alongOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *alongOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindConcatSlice is the kind of the slice of one piece out of a concatenation (along Identity.Axis).
	KindConcatSlice = NewKind("concatslice")
	// KindConcatPad is the kind of one piece padded with zeros to the concatenation's shape (along Identity.Axis).
	KindConcatPad = NewKind("concatpad")
)

// Identity is KindConcatPad or KindConcatSlice.
func (op *alongOp) Identity() Identity {
	return Identity{Kind: choose(op.pad, KindConcatPad, KindConcatSlice), Axis: op.axis}
}

func (op *alongOp) String() string {
	name := "concatslice"
	if op.pad {
		name = "concatpad"
	}
	return fmt.Sprintf("%s(axis=%d,[%d:%d],%v)", name, op.axis, op.start, op.end, []int(op.full))
}

// SymDiff: the gradient of a slice is g padded back into place, that of a
// pad is g's slice.
func (op *alongOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	return applyAdjoint(op, newAlongOp(!op.pad, op.axis, op.start, op.end, op.full), grad)
}
