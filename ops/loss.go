package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

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
		Notes:    "symgrad op, as PyTorch BCELoss: clamped logs keep the value finite at p = 0 and 1, and the gradient's denominator is floored at 1e-12 as in PyTorch's backward.", TwiceDifferentiable: false},
		func(p, t *G.Node, _ []float64) (*G.Node, error) { return BCE(p, t) }, Domain{Min: 0.05, Max: 0.95}, Domain{Min: 0, Max: 1})
	lossSpec(Spec{Name: "bcewithlogits", Forward: "bcewithlogits(x, t) = mean(max(x, 0) - x·t + log1p(e^-|x|))",
		Gradient: "d/dx = (σ(x) - t) / N; d/dt = -x / N",
		Notes:    "symgrad softplus; finite for any logit (Gorgonia's BinaryXent takes log of a sigmoid).", TwiceDifferentiable: true},
		func(p, t *G.Node, _ []float64) (*G.Node, error) { return BCEWithLogits(p, t) }, Domain{Min: -4, Max: 4}, Domain{Min: 0, Max: 1})
}

// bceEps is the floor of p(1 - p) in BCE's gradient: PyTorch's EPSILON in
// binary_cross_entropy_backward, which is the float 1e-12 (so
// 9.99999996e-13 in double arithmetic, not 1e-12).
var bceEps = float64(float32(1e-12))

// binaryElemOp is an elementwise function z = f(x, y) of two tensors of one
// shape, evaluated in Go. Its gradient, when it has one, is built by
// grad(x, y, g) from other nodes. A nil grad makes it not differentiable:
// DiffWRT still says both inputs are, so that differentiating through it
// reaches SymDiff, whose error refuses the second derivative rather than
// letting it be silently zero.
type binaryElemOp struct {
	binaryBase
	name string // holds every attribute: the hash is the name
	f    func(x, y float64) float64
	grad func(x, y, g *G.Node) (G.Nodes, error)
}

var _ G.SDOp = (*binaryElemOp)(nil)

func (op *binaryElemOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}
func (op *binaryElemOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("%s: expected 2 inputs, got %d", op.name, len(in))
	}
	a, ok1 := in[0].(tensor.Shape)
	b, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || !a.Eq(b) {
		return nil, errors.Errorf("%s: inputs must have one shape, got %v and %v", op.name, in[0], in[1])
	}
	return a.Clone(), nil
}
func (op *binaryElemOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 2 {
		return nil, errors.Errorf("%s: expected 2 inputs, got %d", op.name, len(vs))
	}
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrap(err, op.name)
	}
	y, err := float64sOf(vs[1])
	if err != nil {
		return nil, errors.Wrap(err, op.name)
	}
	if len(x) != len(y) {
		return nil, errors.Errorf("%s: inputs of %d and %d elements", op.name, len(x), len(y))
	}
	out := make([]float64, len(x))
	for i := range x {
		out[i] = op.f(x[i], y[i])
	}
	return valueOf(out, vs[0].Shape(), dtypeOf(vs[0]))
}
func (op *binaryElemOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%s", op.name) }
func (op *binaryElemOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindBinaryElementwise is the kind of a binary elementwise function (binaryElemOp); Identity.Name is "bce" or "bce'p".
	KindBinaryElementwise = NewKind("binaryelementwise")
)

// Identity is KindBinaryElementwise.
func (op *binaryElemOp) Identity() Identity {
	return Identity{Kind: KindBinaryElementwise, Name: op.name}
}

func (op *binaryElemOp) String() string { return op.name }
func (op *binaryElemOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	if op.grad == nil {
		return nil, errors.Errorf("%s is not differentiable (not twice differentiable as part of its op)", op.name)
	}
	return op.grad(in[0], in[1], g)
}

// bceTerms is PyTorch's elementwise binary cross-entropy on a probability p
// and a target t: -(t·max(ln p, -100) + (1 - t)·max(ln(1 - p), -100)), with
// ln(1 - p) computed as PyTorch computes it (log of the rounded 1 - p, not
// log1p: at p = 1e-17 both give a loss of exactly 0).
//
// Its gradient is PyTorch's, not the derivative of the clamped formula:
// d/dp = g·(p - t) / max(p(1 - p), 1e-12) (the same as -(t/p - (1-t)/(1-p))
// where p(1 - p) ≥ 1e-12, and bounded where p saturates), and
// d/dt = g·(max(ln(1 - p), -100) - max(ln p, -100)).
func bceTerms() *binaryElemOp {
	return &binaryElemOp{name: "bce", f: func(p, t float64) float64 {
		return -(t*math.Max(math.Log(p), -100) + (1-t)*math.Max(math.Log(1-p), -100))
	}, grad: bceGrad}
}

// bceGradP is d/dp of bceTerms for an upstream gradient of one.
func bceGradP() *binaryElemOp {
	return &binaryElemOp{name: "bce'p", f: func(p, t float64) float64 {
		return (p - t) / math.Max(p*(1-p), bceEps)
	}}
}

func bceGrad(p, t, g *G.Node) (G.Nodes, error) {
	b := &chain{what: "BCE gradient"}
	dp := b.mul(g, b.apply("bce'p", func() (*G.Node, error) { return Apply(bceGradP(), p, t) }))
	one := scalarLike(p, 1)
	dt := b.mul(g, b.sub(b.elem(clampedLogOp(), b.sub(one, p)), b.elem(clampedLogOp(), p)))
	if b.err != nil {
		return nil, b.err
	}
	return G.Nodes{dp, dt}, nil
}

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
