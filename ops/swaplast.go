package ops

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
)

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
