package ops

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

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
	switch x.Dtype() {
	case tensor.Float64:
		copy(y.Float64s(), x.Float64s())
	case tensor.Float32:
		copy(y.Float32s(), x.Float32s())
	default:
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
