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
		s, err := sumAll(t)
		if err != nil {
			return nil, errors.Wrapf(err, "%s of %s", what, p.Name())
		}
		if total == nil {
			total = s
		} else if total, err = gorgonia2(G.Add, total, s); err != nil {
			return nil, errors.Wrapf(err, "%s of %s", what, p.Name())
		}
	}
	c := scalarLike(total, coef)
	return gorgonia2(G.Mul, c, total)
}

// scalarLike returns a scalar constant of n's dtype. Scalar constants are
// safe from Gorgonia's deduplication: their printed value is exact.
func scalarLike(n *G.Node, v float64) *G.Node {
	if n.Dtype() == G.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}

func init() {
	for _, s := range []struct {
		name, fwd, grad string
		f               func(float64, ...*G.Node) (*G.Node, error)
	}{
		{"l1penalty", "l1penalty(p..., lambda) = lambda · Σ |p|", "lambda · sign(p) (a kink at 0)", L1Penalty},
		{"l2penalty", "l2penalty(p..., lambda) = (lambda/2) · Σ p²", "lambda · p (PyTorch's SGD weight_decay=lambda)", L2Penalty},
	} {
		s := s
		Register(&Spec{
			Name: s.name, Family: "penalty", Forward: s.fwd, Gradient: s.grad,
			Notes:    "Gorgonia's Abs/Square and Sum over each parameter; lambda is the trailing number (default 0.01).",
			Build:    func(n []*G.Node, p []float64) (*G.Node, error) { return s.f(oneFloat(p, 0.01), n...) },
			MinNodes: 1, MaxNodes: -1, MaxParams: 1,
			Example: Example{Inputs: []Input{{Name: "w", Shape: []int{3, 4}, Domain: Domain{Min: -2, Max: 2, Avoid: []float64{0}, Margin: 0.05}},
				{Name: "b", Shape: []int{4}, Domain: Domain{Min: -2, Max: 2, Avoid: []float64{0}, Margin: 0.05}}}, Params: []float64{0.3}},
			Dtypes: floats, TwiceDifferentiable: true,
		})
	}
}
