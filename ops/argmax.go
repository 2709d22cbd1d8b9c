package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops/kernels"
)

// ArgMax is PyTorch's argmax(x, dim): the index of the largest element
// along axis (a negative axis counts from the end), as an int64 node of x's
// shape without that axis; with no axis, the index into the flattened x
// (an int64 scalar). The first index wins a tie, and a NaN counts as the
// largest value (the first NaN wins), as in PyTorch.
//
// The output is int64, as PyTorch's, so that it can feed CrossEntropy or
// NLL as class indices and be compared with integer targets. It is not
// differentiable (the registry says so): the indices are piecewise
// constant, and an int64 node takes no part in a float loss.
func ArgMax(x *G.Node, axis ...int) (*G.Node, error) { return argExtreme(true, x, axis) }

// ArgMin is PyTorch's argmin(x, dim): as ArgMax, for the smallest element
// (a NaN counts as the smallest).
func ArgMin(x *G.Node, axis ...int) (*G.Node, error) { return argExtreme(false, x, axis) }

func argExtreme(isMax bool, x *G.Node, axis []int) (out *G.Node, err error) {
	name := "argmin"
	if isMax {
		name = "argmax"
	}
	defer panics.Recover(&err, "%s of %s", name, nodeName(x))
	if err := checkFloatNode(name, x); err != nil {
		return nil, err
	}
	op := &argOp{isMax: isMax, axis: -1, shape: x.Shape().Clone()}
	switch {
	case len(axis) > 1:
		return nil, errors.Errorf("%s of %s %v: at most one axis, got %v", name, x.Name(), x.Shape(), axis)
	case len(axis) == 1:
		if op.axis, err = normAxis(name, x, axis[0]); err != nil {
			return nil, err
		}
	case x.IsScalar():
		return nil, errors.Errorf("%s of %s: a scalar has no index", name, x.Name())
	}
	out, err = Apply(op, x)
	return out, errors.Wrapf(err, "%s of %s %v", name, x.Name(), x.Shape())
}

// argOp finds the index of the extreme element along axis (-1: over the
// flattened input).
type argOp struct {
	opBase
	isMax bool
	axis  int
	shape tensor.Shape
}

func (op *argOp) outShape() tensor.Shape {
	if op.axis < 0 {
		return tensor.ScalarShape()
	}
	var s tensor.Shape
	for d, n := range op.shape {
		if d != op.axis {
			s = append(s, n)
		}
	}
	return s
}

// better reports whether v beats the best so far (NaN beats everything,
// the first NaN stays).
func (op *argOp) better(v, best float64) bool {
	switch {
	case best != best:
		return false
	case v != v:
		return true
	case op.isMax:
		return v > best
	}
	return v < best
}

func (op *argOp) Arity() int { return 1 }
func (op *argOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(typeOfDims(op.shape.Dims(), a), typeOfDims(op.outShape().Dims(), tensor.Int64))
}
func (op *argOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.outShape(), nil }
func (op *argOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := float64sOf(vs[0])
	if err != nil || len(x) != op.shape.TotalSize() {
		return nil, errors.Errorf("%v: input %v does not fit (%v)", op, vs[0].Shape(), err)
	}
	outer, n, inner := 1, len(x), 1
	if op.axis >= 0 {
		outer, n, inner = kernels.AxisLayout(op.shape, op.axis)
	}
	res := make([]int64, outer*inner)
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			best, at := x[o*n*inner+i], 0
			for k := 1; k < n; k++ {
				if v := x[(o*n+k)*inner+i]; op.better(v, best) {
					best, at = v, k
				}
			}
			res[o*inner+i] = int64(at)
		}
	}
	if op.axis < 0 {
		return G.NewI64(res[0]), nil
	}
	return tensor.New(tensor.WithShape(op.outShape()...), tensor.WithBacking(res)), nil
}
func (op *argOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v%v", op, op.shape) }
func (op *argOp) Hashcode() uint32      { return hashOf(op) }
func (op *argOp) String() string {
	name := "argmin"
	if op.isMax {
		name = "argmax"
	}
	if op.axis < 0 {
		return name
	}
	return fmt.Sprintf("%s(%d)", name, op.axis)
}
func (op *argOp) DiffWRT(int) []bool { return []bool{false} }
func (op *argOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.Errorf("%v is not differentiable (its output is int64 indices)", op)
}

func init() {
	for _, s := range []struct {
		name, what string
		f          func(*G.Node, ...int) (*G.Node, error)
	}{{"argmax", "largest", ArgMax}, {"argmin", "smallest", ArgMin}} {
		s := s
		Register(&Spec{
			Name: s.name, Family: "argmax",
			Forward:  s.name + "(x, axis) = int64 index of the " + s.what + " element along axis (none: of the flattened x)",
			Gradient: "none: not differentiable (int64 output)",
			Notes:    "symgrad op, PyTorch's rule: the first index wins a tie, NaN counts as the " + s.what + " value; output int64 (usable as class indices).",
			Build: func(n []*G.Node, p []float64) (*G.Node, error) {
				ax, err := intParams(s.name, p)
				if err != nil {
					return nil, err
				}
				return s.f(n[0], ax...)
			},
			MinNodes: 1, MaxNodes: 1, MaxParams: 1,
			Example: Example{Inputs: []Input{{Name: "x", Shape: []int{3, 4}, Domain: Real, NoGrad: true}}, Params: []float64{1}},
			Dtypes:  floats, NotDifferentiable: true,
		})
	}
}

// KindArg is the kind of ArgMax and ArgMin.
var KindArg = NewKind("arg")

// Identity is KindArg.
func (op *argOp) Identity() Identity { return Identity{Kind: KindArg} }
