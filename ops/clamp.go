package ops

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
)

// Clamp is PyTorch's clamp(x, min, max): min(max(x, lo), hi) elementwise
// (hi wins when lo > hi, as in PyTorch); math.Inf(-1) or math.Inf(1) leave
// a side open. NaN elements stay NaN.
//
// Gradient (PyTorch's): g where lo <= x <= hi, the bounds included, and 0
// outside (and for NaN elements); its own derivative is 0, so Clamp is
// differentiable any number of times.
func Clamp(x *G.Node, lo, hi float64) (out *G.Node, err error) {
	defer panics.Recover(&err, "clamp")
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return nil, errors.Errorf("clamp of %v: bounds [%g, %g] must not be NaN", nodeName(x), lo, hi)
	}
	tag := fmt.Sprintf("(%g,%g)", lo, hi)
	zero := func() *elemOp {
		return &elemOp{name: "clamp''" + tag, f: func(float64) float64 { return 0 }}
	}
	inside := func() *elemOp {
		return &elemOp{name: "clamp'" + tag, deriv: zero, f: func(v float64) float64 {
			if v >= lo && v <= hi {
				return 1
			}
			return 0
		}}
	}
	return applyElem(&elemOp{name: "clamp" + tag, deriv: inside, f: func(v float64) float64 {
		if math.IsNaN(v) {
			return v
		}
		return math.Min(math.Max(v, lo), hi)
	}}, x)
}

// nodeName is x's name, or "nil" for a nil node.
func nodeName(x *G.Node) string {
	if x == nil {
		return "nil"
	}
	return x.Name()
}

func init() {
	Register(&Spec{
		Name: "clamp", Family: "clamp",
		Forward:  "clamp(x, lo, hi) = min(max(x, lo), hi); clamp(x, lo) leaves the top open",
		Gradient: "g ⊙ 1[lo <= x <= hi] (bounds included, PyTorch's rule)",
		Notes:    "symgrad elementwise op; kinks at lo and hi; hi wins when lo > hi (gradient 0 everywhere then), as in PyTorch.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			lo, hi := math.Inf(-1), math.Inf(1)
			switch len(p) {
			case 2:
				lo, hi = p[0], p[1]
			case 1:
				lo = p[0]
			default:
				return nil, errors.New("clamp takes 1 or 2 numeric arguments (lo, hi)")
			}
			return Clamp(n[0], lo, hi)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 2,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{3, 4}, Domain: Domain{Min: -2, Max: 2, Avoid: []float64{-1, 1}, Margin: 0.05}}},
			Params: []float64{-1, 1}},
		Dtypes: floats, TwiceDifferentiable: true,
	})
}
