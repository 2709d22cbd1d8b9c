package ops

import (
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
)

// ReLU is max(x, 0), elementwise.
//
// Gradient: 1 where x > 0, 0 where x < 0; symgrad (like PyTorch) uses 0 at
// x = 0, a kink that gradcheck reports as such.
func ReLU(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "ReLU")
	return G.Rectify(x)
}
