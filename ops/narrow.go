package ops

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
)

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
