package ops

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
)

// Losses follow PyTorch's semantics: pred and target have the same shape
// (no silent broadcasting), the per-element terms are reduced by Mean
// (default) or Sum.

// MSE is the mean squared error between pred and target, as PyTorch's
// MSELoss: reduce((pred - target)^2).
//
// Gradient: d/dpred = 2 (pred - target) / N for Mean, 2 (pred - target) for Sum.
func MSE(pred, target *G.Node, r ...Reduction) (out *G.Node, err error) {
	defer panics.Recover(&err, "MSE loss")
	return pairLoss("MSE loss", pred, target, r, func(d *G.Node) (*G.Node, error) { return gorgonia1(G.Square, d) })
}

// L1Loss is reduce(|pred - target|), as PyTorch's L1Loss.
//
// Gradient: d/dpred = sign(pred - target) / N (0 at equality, a kink).
func L1Loss(pred, target *G.Node, r ...Reduction) (out *G.Node, err error) {
	defer panics.Recover(&err, "L1 loss")
	return pairLoss("L1 loss", pred, target, r, func(d *G.Node) (*G.Node, error) { return gorgonia1(G.Abs, d) })
}

// SmoothL1 is PyTorch's SmoothL1Loss: per element, with d = pred - target,
// 0.5 d²/beta if |d| < beta, else |d| - 0.5 beta (beta = 0 is L1).
//
// Gradient: d/beta inside, sign(d) outside.
func SmoothL1(pred, target *G.Node, beta float64, r ...Reduction) (out *G.Node, err error) {
	defer panics.Recover(&err, "SmoothL1 loss")
	if beta < 0 {
		return nil, errors.Errorf("SmoothL1 loss: beta %g is negative", beta)
	}
	return pairLoss("SmoothL1 loss", pred, target, r, func(d *G.Node) (*G.Node, error) { return applyElem(huberOp(beta, 1/beta), d) })
}

// Huber is PyTorch's HuberLoss: per element, with d = pred - target,
// 0.5 d² if |d| <= delta, else delta (|d| - 0.5 delta); it is
// delta · SmoothL1(beta = delta).
//
// Gradient: d inside, delta·sign(d) outside.
func Huber(pred, target *G.Node, delta float64, r ...Reduction) (out *G.Node, err error) {
	defer panics.Recover(&err, "Huber loss")
	if delta <= 0 {
		return nil, errors.Errorf("Huber loss: delta %g must be positive", delta)
	}
	return pairLoss("Huber loss", pred, target, r, func(d *G.Node) (*G.Node, error) { return applyElem(huberOp(delta, 1), d) })
}

// huberOp is the quadratic-then-linear term with quadratic coefficient q
// and width w: 0.5 q d² if |d| < w, else q w |d| - 0.5 q w² (continuous,
// with a continuous slope). SmoothL1 is (w, q) = (beta, 1/beta); Huber is
// (delta, 1).
func huberOp(w, q float64) *elemOp {
	if w == 0 { // SmoothL1 with beta = 0 is the L1 term.
		return &elemOp{name: "abs-term", f: math.Abs, deriv: func() *elemOp {
			return &elemOp{name: "sign", f: sign, deriv: zeroOp}
		}}
	}
	name := fmt.Sprintf("huber(w=%v,q=%v)", w, q)
	d2 := func() *elemOp {
		return &elemOp{name: name + "''", f: func(d float64) float64 {
			if math.Abs(d) < w {
				return q
			}
			return 0
		}}
	}
	d1 := func() *elemOp {
		return &elemOp{name: name + "'", deriv: d2, f: func(d float64) float64 {
			if math.Abs(d) < w {
				return q * d
			}
			return q * w * sign(d)
		}}
	}
	return &elemOp{name: name, deriv: d1, f: func(d float64) float64 {
		if a := math.Abs(d); a < w {
			return 0.5 * q * d * d
		} else {
			return q*w*a - 0.5*q*w*w
		}
	}}
}

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// pairLoss reduces term(pred - target).
func pairLoss(what string, pred, target *G.Node, rs []Reduction, term func(*G.Node) (*G.Node, error)) (*G.Node, error) {
	r, err := reductionOf(rs)
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	if err := sameShape(what, pred, target); err != nil {
		return nil, err
	}
	diff, err := gorgonia2(G.Sub, pred, target)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: pred - target", what)
	}
	t, err := term(diff)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: term", what)
	}
	return reduce(t, r)
}

// sameShape checks that a and b have identical shapes and float dtypes.
func sameShape(what string, a, b *G.Node) error {
	if err := checkFloatNode(what, a); err != nil {
		return err
	}
	if !a.Shape().Eq(b.Shape()) {
		return errors.Errorf("%s: shapes differ: %v has shape %v, %v has shape %v", what, a.Name(), a.Shape(), b.Name(), b.Shape())
	}
	if a.Dtype() != b.Dtype() {
		return errors.Errorf("%s: dtypes differ: %v is %v, %v is %v", what, a.Name(), a.Dtype(), b.Name(), b.Dtype())
	}
	return nil
}

// clampedLogOp is max(ln x, -100), PyTorch's BCELoss clamp. Its derivative
// is 1/x where ln x > -100, else 0.
func clampedLogOp() *elemOp {
	return &elemOp{name: "clampedlog", f: func(x float64) float64 { return math.Max(math.Log(x), -100) },
		deriv: func() *elemOp {
			return &elemOp{name: "clampedlog'", f: func(x float64) float64 {
				if math.Log(x) > -100 {
					return 1 / x
				}
				return 0
			}}
		}}
}

// BCE is PyTorch's BCELoss on probabilities p in [0, 1]:
// reduce(-(t·max(ln p, -100) + (1 - t)·max(ln(1 - p), -100))).
//
// Gradient (PyTorch's): d/dp = (p - t) / max(p(1 - p), 1e-12) / N, bounded
// where p saturates at 0 or 1 (bce(sigmoid(z)) for |z| > 28); d/dt =
// (max(ln(1 - p), -100) - max(ln p, -100)) / N.
func BCE(prob, target *G.Node, r ...Reduction) (out *G.Node, err error) {
	defer panics.Recover(&err, "BCE loss")
	red, err := reductionOf(r)
	if err != nil {
		return nil, errors.Wrap(err, "BCE loss")
	}
	if err := sameShape("BCE loss", prob, target); err != nil {
		return nil, err
	}
	if err := checkFloatNode("BCE loss", prob); err != nil {
		return nil, err
	}
	terms, err := Apply(bceTerms(), prob, target)
	if err != nil {
		return nil, errors.Wrap(err, "BCE loss")
	}
	out, err = reduce(terms, red)
	return out, errors.Wrap(err, "BCE loss")
}

// BCEWithLogits is PyTorch's BCEWithLogitsLoss, σ and BCE fused:
// reduce(softplus(x) - x·t) = reduce(max(x, 0) - x·t + log1p(e^-|x|)),
// finite for any logit x.
//
// Gradient: d/dx = (σ(x) - t) / N; d/dt = -x / N.
func BCEWithLogits(logits, target *G.Node, r ...Reduction) (out *G.Node, err error) {
	defer panics.Recover(&err, "BCEWithLogits loss")
	red, err := reductionOf(r)
	if err != nil {
		return nil, errors.Wrap(err, "BCEWithLogits loss")
	}
	if err := sameShape("BCEWithLogits loss", logits, target); err != nil {
		return nil, err
	}
	b := &chain{what: "BCEWithLogits loss"}
	sp := b.elem(&elemOp{name: "softplus", f: softplus, deriv: sigmoidOp}, logits)
	terms := b.sub(sp, b.mul(logits, target))
	if b.err != nil {
		return nil, b.err
	}
	return reduce(terms, red)
}

// chain builds a sequence of nodes, keeping the first error.
type chain struct {
	what string
	err  error
}

func (c *chain) apply(name string, f func() (*G.Node, error)) *G.Node {
	if c.err != nil {
		return nil
	}
	n, err := f()
	if err != nil {
		c.err = errors.Wrapf(err, "%s: %s", c.what, name)
	}
	return n
}
func (c *chain) add(a, b *G.Node) *G.Node {
	return c.apply("add", func() (*G.Node, error) { return gorgonia2(G.Add, a, b) })
}
func (c *chain) sub(a, b *G.Node) *G.Node {
	return c.apply("sub", func() (*G.Node, error) { return gorgonia2(G.Sub, a, b) })
}
func (c *chain) mul(a, b *G.Node) *G.Node {
	return c.apply("mul", func() (*G.Node, error) { return gorgonia2(G.HadamardProd, a, b) })
}
func (c *chain) elem(op *elemOp, x *G.Node) *G.Node {
	return c.apply(op.name, func() (*G.Node, error) { return applyElem(op, x) })
}

// lossSpec registers a (pred, target) loss with up to one numeric param.
func lossSpec(s Spec, f func(p, t *G.Node, q []float64) (*G.Node, error), pd, td Domain, params ...float64) {
	s.Family = "loss"
	s.Build = func(n []*G.Node, q []float64) (*G.Node, error) { return f(n[0], n[1], q) }
	s.MinNodes, s.MaxNodes, s.MaxParams = 2, 2, len(params)
	s.Example = Example{Inputs: []Input{{Name: "p", Shape: []int{4, 3}, Domain: pd}, {Name: "t", Shape: []int{4, 3}, Domain: td}}, Params: params}
	s.Dtypes = floats
	Register(&s)
}

func init() {
	lossSpec(Spec{Name: "mse", Forward: "mse(p, t) = mean((p - t)^2)", Gradient: "d/dp = 2 (p - t) / N; d/dt = -2 (p - t) / N",
		Notes: "Gorgonia's Sub, Square, Mean; no broadcasting.", TwiceDifferentiable: true},
		func(p, t *G.Node, _ []float64) (*G.Node, error) { return MSE(p, t) }, Real, Real)
	lossSpec(Spec{Name: "l1loss", Forward: "l1loss(p, t) = mean(|p - t|)", Gradient: "d/dp = sign(p - t) / N (a kink at p = t)",
		Notes: "Gorgonia's Abs; the example keeps p - t away from 0.", TwiceDifferentiable: true},
		func(p, t *G.Node, _ []float64) (*G.Node, error) { return L1Loss(p, t) }, Domain{Min: 0.5, Max: 2}, Domain{Min: -2, Max: 0.3})
	lossSpec(Spec{Name: "smoothl1", Forward: "smoothl1(p, t, beta) = mean(0.5 d²/beta if |d| < beta else |d| - 0.5 beta), d = p - t (beta defaults to 1)",
		Gradient: "d/dp = (d/beta inside, sign(d) outside) / N",
		Notes:    "symgrad op; PyTorch SmoothL1Loss; beta = 0 is L1.", TwiceDifferentiable: true},
		func(p, t *G.Node, q []float64) (*G.Node, error) { return SmoothL1(p, t, oneFloat(q, 1)) }, Real, Real, 0.8)
	lossSpec(Spec{Name: "huber", Forward: "huber(p, t, delta) = mean(0.5 d² if |d| <= delta else delta (|d| - 0.5 delta)), d = p - t (delta defaults to 1)",
		Gradient: "d/dp = (d inside, delta·sign(d) outside) / N",
		Notes:    "symgrad op; PyTorch HuberLoss = delta · SmoothL1(beta = delta).", TwiceDifferentiable: true},
		func(p, t *G.Node, q []float64) (*G.Node, error) { return Huber(p, t, oneFloat(q, 1)) }, Real, Real, 0.8)
	lossSpec(Spec{Name: "bce", Forward: "bce(p, t) = mean(-(t·max(ln p, -100) + (1 - t)·max(ln(1 - p), -100)))",
		Gradient: "d/dp = (p - t) / max(p(1 - p), 1e-12) / N (PyTorch's bounded form); d/dt = (max(ln(1 - p), -100) - max(ln p, -100)) / N",
		Notes:    "symgrad op (bce.go), as PyTorch BCELoss: clamped logs keep the value finite at p = 0 and 1, and the gradient's denominator is floored at 1e-12 as in PyTorch's backward.", TwiceDifferentiable: false},
		func(p, t *G.Node, _ []float64) (*G.Node, error) { return BCE(p, t) }, Domain{Min: 0.05, Max: 0.95}, Domain{Min: 0, Max: 1})
	lossSpec(Spec{Name: "bcewithlogits", Forward: "bcewithlogits(x, t) = mean(max(x, 0) - x·t + log1p(e^-|x|))",
		Gradient: "d/dx = (σ(x) - t) / N; d/dt = -x / N",
		Notes:    "symgrad softplus; finite for any logit (Gorgonia's BinaryXent takes log of a sigmoid).", TwiceDifferentiable: true},
		func(p, t *G.Node, _ []float64) (*G.Node, error) { return BCEWithLogits(p, t) }, Domain{Min: -4, Max: 4}, Domain{Min: 0, Max: 1})
}
