package ops

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
)

// L2Penalty is (lambda/2) * sum_p sum(p^2) over the given parameters.
//
// Gradient: lambda * p, so L2Penalty(lambda) equals PyTorch's
// weight_decay=lambda for plain SGD.
func L2Penalty(lambda float64, params ...*G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "L2 penalty")
	return penalty("L2 penalty", lambda/2, G.Square, params)
}

// L1Penalty is lambda * sum_p sum(|p|) over the given parameters.
//
// Gradient: lambda * sign(p) (0 at p = 0, a kink).
func L1Penalty(lambda float64, params ...*G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "L1 penalty")
	return penalty("L1 penalty", lambda, G.Abs, params)
}

func penalty(what string, coef float64, term func(*G.Node) (*G.Node, error), params []*G.Node) (*G.Node, error) {
	if len(params) == 0 {
		return nil, errors.Errorf("%s: no parameters", what)
	}
	var total *G.Node
	for _, p := range params {
		t, err := term(p)
		if err != nil {
			return nil, errors.Wrapf(err, "%s of %s", what, p.Name())
		}
		s, err := G.Sum(t)
		if err != nil {
			return nil, errors.Wrapf(err, "%s of %s", what, p.Name())
		}
		if total == nil {
			total = s
		} else if total, err = G.Add(total, s); err != nil {
			return nil, errors.Wrapf(err, "%s of %s", what, p.Name())
		}
	}
	c := scalarLike(total, coef)
	return G.Mul(c, total)
}

// scalarLike returns a scalar constant of n's dtype. Scalar constants are
// safe from Gorgonia's deduplication: their printed value is exact.
func scalarLike(n *G.Node, v float64) *G.Node {
	if n.Dtype() == G.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}
