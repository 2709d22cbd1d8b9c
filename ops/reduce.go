package ops

import (
	"sort"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
)

// SumAlong is Σ x over the given axes (all axes when none are given; a
// negative axis counts from the end). Gradient: g broadcast back over the
// summed axes.
func SumAlong(x *G.Node, axes ...int) (out *G.Node, err error) {
	defer panics.Recover(&err, "sum of %s", x.Name())
	ax, err := normAxes("sum", x, axes)
	if err != nil {
		return nil, err
	}
	out, err = applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.Sum(in[0], ax...) }, x)
	return out, errors.Wrapf(err, "sum of %s %v over %v", x.Name(), x.Shape(), ax)
}

// MeanAlong is the mean of x over the given axes (all when none are given).
// Gradient: g / n broadcast back, n the number of averaged elements.
func MeanAlong(x *G.Node, axes ...int) (out *G.Node, err error) {
	defer panics.Recover(&err, "mean of %s", x.Name())
	ax, err := normAxes("mean", x, axes)
	if err != nil {
		return nil, err
	}
	out, err = meanOver(x, ax)
	return out, errors.Wrapf(err, "mean of %s %v over %v", x.Name(), x.Shape(), ax)
}

// allAxes is 0, 1, ..., x.Dims()-1.
func allAxes(x *G.Node) []int {
	axes := make([]int, x.Dims())
	for i := range axes {
		axes[i] = i
	}
	return axes
}

// meanOver is Gorgonia's Mean, node by node through applyGorgonia (the sum,
// each axis's size, their product, the quotient), so that no node of it
// can merge with another on a hash collision.
func meanOver(x *G.Node, axes []int) (*G.Node, error) {
	if x.IsScalar() {
		return x, nil
	}
	s, err := applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.Sum(in[0], axes...) }, x)
	if err != nil {
		return nil, err
	}
	var count *G.Node
	for _, axis := range axes {
		size, err := applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.SizeOf(axis, in[0]) }, x)
		if err != nil {
			return nil, err
		}
		if count == nil {
			count = size
		} else if count, err = applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.Mul(in[0], in[1]) }, count, size); err != nil {
			return nil, err
		}
	}
	return applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.HadamardDiv(in[0], in[1]) }, s, count)
}

// MaxAlong is the maximum of x over the given axes (all when none are
// given), PyTorch's amax. Gradient: g routed to the position of the
// maximum; tied maxima share it evenly (see maxOp).
func MaxAlong(x *G.Node, axes ...int) (out *G.Node, err error) {
	defer panics.Recover(&err, "max of %s", x.Name())
	ax, err := normAxes("max", x, axes)
	if err != nil {
		return nil, err
	}
	sort.Ints(ax)
	out, err = Apply(newMaxOp(x.Shape(), ax), x)
	return out, errors.Wrapf(err, "max of %s %v over %v", x.Name(), x.Shape(), ax)
}

// normAxes checks axes against x's rank, resolves negative ones and
// rejects duplicates. No axes means every axis.
func normAxes(what string, x *G.Node, axes []int) ([]int, error) {
	if err := checkFloatNode(what, x); err != nil {
		return nil, err
	}
	d := x.Dims()
	if len(axes) == 0 {
		out := make([]int, d)
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	seen := map[int]bool{}
	out := make([]int, len(axes))
	for i, a := range axes {
		r, err := normAxis(what, x, a)
		if err != nil {
			return nil, err
		}
		if seen[r] {
			return nil, errors.Errorf("%s: axis %d given twice", what, a)
		}
		seen[r] = true
		out[i] = r
	}
	return out, nil
}

// normAxis resolves a possibly negative axis of x.
func normAxis(what string, x *G.Node, a int) (int, error) {
	d := x.Dims()
	r := a
	if r < 0 {
		r += d
	}
	if r < 0 || r >= d {
		return 0, errors.Errorf("%s: axis %d out of range for %s of shape %v", what, a, x.Name(), x.Shape())
	}
	return r, nil
}

// intParams converts numeric expression params to ints, rejecting
// fractions.
func intParams(what string, ps []float64) ([]int, error) {
	out := make([]int, len(ps))
	for i, p := range ps {
		if p != float64(int(p)) {
			return nil, errors.Errorf("%s: parameter %d is %g, want an integer", what, i, p)
		}
		out[i] = int(p)
	}
	return out, nil
}

// axesSpec registers a reduction over axes.
func axesSpec(name, fwd, grad, notes string, f func(*G.Node, ...int) (*G.Node, error), params []float64, twice bool) {
	Register(&Spec{
		Name: name, Family: "reduce", Forward: fwd, Gradient: grad, Notes: notes,
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			axes, err := intParams(name, p)
			if err != nil {
				return nil, err
			}
			return f(n[0], axes...)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 4,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{3, 4, 2}, Domain: Real}}, Params: params},
		Dtypes:  floats, TwiceDifferentiable: twice,
	})
}

func init() {
	axesSpec("sum", "sum(x, axes...) = Σ x over axes (none = all)", "g broadcast over the summed axes",
		"Gorgonia's Sum.", SumAlong, []float64{1}, true)
	axesSpec("mean", "mean(x, axes...) = Σ x / n over axes (none = all)", "g / n broadcast over the averaged axes",
		"Gorgonia's Mean.", MeanAlong, []float64{0, 2}, true)
	axesSpec("max", "max(x, axes...) = max x over axes (none = all), PyTorch's amax", "g at the argmax, 0 elsewhere; k tied maxima get g/k each (PyTorch's amax)",
		"symgrad op (max.go): Gorgonia's Max gives every tied maximum the whole g. A kink where the maximum is tied.", MaxAlong, []float64{1}, false)
}
