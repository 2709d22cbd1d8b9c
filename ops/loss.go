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
	return elemChain(fmt.Sprintf("huber(w=%v,q=%v)", w, q),
		func(d float64) float64 {
			if a := math.Abs(d); a < w {
				return 0.5 * q * d * d
			} else {
				return q*w*a - 0.5*q*w*w
			}
		},
		func(d float64) float64 {
			if math.Abs(d) < w {
				return q * d
			}
			return q * w * sign(d)
		},
		func(d float64) float64 {
			if math.Abs(d) < w {
				return q
			}
			return 0
		})
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

// CrossEntropy is PyTorch's CrossEntropyLoss over logits x [B, C] and int64
// class indices c [B]: reduce_b(logsumexp(x_b) - x_b[c_b]), fused and
// stable for any logits (the max is subtracted inside logsumexp).
//
// Gradient: d/dx = (softmax(x) - onehot(c)) / B for Mean (no /B for Sum),
// computed by its own op from the logits.
func CrossEntropy(logits, classes *G.Node, r ...Reduction) (out *G.Node, err error) {
	defer panics.Recover(&err, "CrossEntropy loss")
	red, err := reductionOf(r)
	if err != nil {
		return nil, errors.Wrap(err, "CrossEntropy loss")
	}
	if err := checkClasses("CrossEntropy loss", logits, classes); err != nil {
		return nil, err
	}
	out, err = Apply(&ceOp{red: red, shape: logits.Shape().Clone()}, logits, classes)
	return out, errors.Wrapf(err, "CrossEntropy loss of %s %v", logits.Name(), logits.Shape())
}

// NLL is PyTorch's NLLLoss over log-probabilities [B, C] and int64 class
// indices [B]: reduce_b(-logProbs[b, c_b]).
//
// Gradient: d/dlogProbs = -onehot(c) / B for Mean (no /B for Sum).
func NLL(logProbs, classes *G.Node, r ...Reduction) (out *G.Node, err error) {
	defer panics.Recover(&err, "NLL loss")
	red, err := reductionOf(r)
	if err != nil {
		return nil, errors.Wrap(err, "NLL loss")
	}
	if err := checkClasses("NLL loss", logProbs, classes); err != nil {
		return nil, err
	}
	picked, err := Apply(&pickOp{shape: logProbs.Shape().Clone()}, logProbs, classes)
	if err != nil {
		return nil, errors.Wrap(err, "NLL loss: picking the classes")
	}
	s, err := reduce(picked, red)
	if err != nil {
		return nil, errors.Wrap(err, "NLL loss")
	}
	return gorgonia1(G.Neg, s)
}

func init() {
	for _, s := range []struct {
		name, fwd, grad, notes string
		f                      func(a, b *G.Node, r ...Reduction) (*G.Node, error)
		twice                  bool
	}{
		{"crossentropy", "crossentropy(x, c) = mean_b(logsumexp(x_b) - x_b[c_b]), x [B,C], c int64 [B]",
			"d/dx = (softmax(x) - onehot(c)) / B", "symgrad fused op, stable for any logits; its gradient is its own op (not differentiable again). Every target must be a class; PyTorch's options (weight, ignore_index, label_smoothing, reduction) through extra arguments, see crossentropyopt.",
			CrossEntropy, false},
		{"nll", "nll(l, c) = mean_b(-l_b[c_b]), l [B,C] log-probabilities, c int64 [B]",
			"d/dl = -onehot(c) / B", "symgrad pick/scatter ops (each the other's gradient).", NLL, true},
	} {
		spec := &Spec{
			Name: s.name, Family: "loss", Forward: s.fwd, Gradient: s.grad, Notes: s.notes,
			Build:    func(n []*G.Node, p []float64) (*G.Node, error) { return s.f(n[0], n[1]) },
			MinNodes: 2, MaxNodes: 2,
			Example: Example{Inputs: []Input{{Name: "x", Shape: []int{4, 5}, Domain: Domain{Min: -3, Max: 3}},
				{Name: "c", Shape: []int{4}, Classes: 5}}},
			Dtypes: floats, TwiceDifferentiable: s.twice,
		}
		if s.name == "crossentropy" { // crossentropy(x, c, w, ε, ignore, red): see crossentropyopt
			spec.Build, spec.MaxNodes, spec.MaxParams = buildCrossEntropy, 3, 3
		}
		Register(spec)
	}
}

// checkClasses checks x [B, C] float and classes [B] int64.
func checkClasses(what string, x, classes *G.Node) error {
	if err := checkFloatNode(what, x); err != nil {
		return err
	}
	if x.Dims() != 2 {
		return errors.Errorf("%s: %s must be [B, C], got shape %v", what, x.Name(), x.Shape())
	}
	if classes == nil || classes.Dtype() != tensor.Int64 || classes.Dims() != 1 || classes.Shape()[0] != x.Shape()[0] {
		return errors.Errorf("%s: classes must be int64 [%d], got %v %v", what, x.Shape()[0], classes.Dtype(), classes.Shape())
	}
	return nil
}

// int64sOf returns the class indices of a value, checked against [0, c).
func int64sOf(v G.Value, c int) ([]int64, error) {
	d, ok := v.(*tensor.Dense)
	if !ok || d.Dtype() != tensor.Int64 {
		return nil, errors.Errorf("class indices must be an int64 tensor, got %T", v)
	}
	cs := d.Int64s()
	for i, k := range cs {
		if k < 0 || int(k) >= c {
			return nil, errors.Errorf("class index %d at %d is out of range [0, %d)", k, i, c)
		}
	}
	return cs, nil
}

// classOpBase holds the methods shared by the ops over [B, C] and classes.
type classOpBase struct {
	opBase
}

func (classOpBase) Arity() int              { return 2 }
func (classOpBase) DiffWRT(int) []bool      { return []bool{true, false} }
func (classOpBase) vecOfInt() hm.Type       { return G.TensorType{Dims: 1, Of: tensor.Int64} }
func (classOpBase) matOf(a hm.Type) hm.Type { return G.TensorType{Dims: 2, Of: a} }

// classOp is implemented by the ops whose input 1 is int64 class indices
// [B] into C classes: crossentropy, nll's pick, and their gradients.
type classOp interface{ classCount() int }

func (op *ceOp) classCount() int      { return op.shape[1] }
func (op *ceGradOp) classCount() int  { return op.shape[1] }
func (op *pickOp) classCount() int    { return op.shape[1] }
func (op *scatterOp) classCount() int { return op.shape[1] }

// ClassInput reports whether n is an op that takes class indices
// (CrossEntropy, NLL's pick and their gradients, input 1, int64 [B]) and
// returns that input and the number of classes C: every index must lie in
// [0, C).
func ClassInput(n *G.Node) (classes *G.Node, count int, ok bool) {
	if n == nil {
		return nil, 0, false
	}
	op, isClass := OpOf(n).(classOp)
	in := Inputs(n)
	if !isClass || len(in) != 2 {
		return nil, 0, false
	}
	return in[1], op.classCount(), true
}

// classInputs reads a class op's inputs: the float values (as float64) and
// the int64 class indices, checked against shape [B, C].
func classInputs(op fmt.Stringer, shape tensor.Shape, vs []G.Value) ([]float64, []int64, error) {
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, nil, errors.Wrapf(err, "%v", op)
	}
	cs, err := int64sOf(vs[1], shape[1])
	if err != nil {
		return nil, nil, errors.Wrapf(err, "%v", op)
	}
	return x, cs, nil
}

// ceOp is the fused cross-entropy of logits [B, C] and classes [B].
type ceOp struct {
	classOpBase
	red   Reduction
	shape tensor.Shape
}

func (op *ceOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(op.matOf(a), op.vecOfInt(), a)
}
func (op *ceOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }
func (op *ceOp) Do(vs ...G.Value) (G.Value, error) {
	x, cs, err := classInputs(op, op.shape, vs)
	if err != nil {
		return nil, err
	}
	b, c := op.shape[0], op.shape[1]
	total := 0.0
	for i := 0; i < b; i++ {
		row := x[i*c : (i+1)*c]
		total += rowLSE(row) - row[cs[i]]
	}
	if op.red == Mean {
		total /= float64(b)
	}
	return valueOf([]float64{total}, nil, dtypeOf(vs[0]))
}
func (op *ceOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *ceOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindCrossEntropy is the kind of the fused CrossEntropy; input 1 is class indices.
	KindCrossEntropy = NewKind("crossentropy")
	// KindCrossEntropyGrad is the kind of CrossEntropy's gradient op; input 1 is class indices.
	KindCrossEntropyGrad = NewKind("crossentropygrad")
)

// Identity is KindCrossEntropy.
func (op *ceOp) Identity() Identity { return Identity{Kind: KindCrossEntropy} }

func (op *ceOp) String() string { return fmt.Sprintf("crossentropy(%v, %v)", op.shape, op.red) }

// SymDiff is d/dx = g · ceGrad(x, c), ceGrad = (softmax(x) - onehot(c)) / B.
func (op *ceOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	d, err := Apply(&ceGradOp{red: op.red, shape: op.shape}, in[0], in[1])
	if err != nil {
		return nil, err
	}
	gx, err := G.Mul(d, g)
	return G.Nodes{gx, nil}, err
}

// rowLSE is the stable log Σ e^row.
func rowLSE(row []float64) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range row {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// ceGradOp is (softmax(x) - onehot(c)) / B (no /B for Sum).
type ceGradOp struct {
	classOpBase
	red   Reduction
	shape tensor.Shape
}

func (op *ceGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(op.matOf(a), op.vecOfInt(), op.matOf(a))
}
func (op *ceGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op *ceGradOp) Do(vs ...G.Value) (G.Value, error) {
	x, cs, err := classInputs(op, op.shape, vs)
	if err != nil {
		return nil, err
	}
	b, c := op.shape[0], op.shape[1]
	scale := 1.0
	if op.red == Mean {
		scale = 1 / float64(b)
	}
	res := make([]float64, b*c)
	for i := 0; i < b; i++ {
		row := x[i*c : (i+1)*c]
		lse := rowLSE(row)
		for j, v := range row {
			res[i*c+j] = math.Exp(v-lse) * scale
		}
		res[i*c+int(cs[i])] -= scale
	}
	return valueOf(res, op.shape, dtypeOf(vs[0]))
}
func (op *ceGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *ceGradOp) Hashcode() uint32      { return hashOf(op) }

// Identity is KindCrossEntropyGrad.
func (op *ceGradOp) Identity() Identity { return Identity{Kind: KindCrossEntropyGrad} }

func (op *ceGradOp) String() string { return fmt.Sprintf("crossentropygrad(%v, %v)", op.shape, op.red) }

// SymDiff is not available: the cross-entropy gradient is not
// differentiated again.
func (op *ceGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.New("crossentropy: second derivatives are not supported (build it from logsoftmax and nll instead)")
}

// DefaultIgnoreIndex is PyTorch's default ignore_index, -100: a target
// equal to it contributes nothing to CrossEntropyWith.
const DefaultIgnoreIndex = -100

// CrossEntropyOptions are the options of torch.nn.functional.cross_entropy
// for class-index targets. The zero value is PyTorch's default: mean
// reduction, no class weights, no label smoothing, targets equal to -100
// ignored.
type CrossEntropyOptions struct {
	// Reduction is Mean (the default), Sum, or NoReduction (one loss per
	// sample, [B]).
	Reduction Reduction
	// Weight holds one weight per class (length C), PyTorch's weight=; nil
	// means all 1. It is a constant: not differentiated.
	Weight []float64
	// LabelSmoothing is PyTorch's label_smoothing, in [0, 1].
	LabelSmoothing float64
	// IgnoreIndex is PyTorch's ignore_index when SetIgnoreIndex is true
	// (targets equal to it contribute nothing, to the loss or to the Mean's
	// denominator); when false, DefaultIgnoreIndex applies. (A plain int
	// could not tell "ignore class 0" from "not set".)
	IgnoreIndex    int64
	SetIgnoreIndex bool
}

// ignore returns the ignored target index.
func (o CrossEntropyOptions) ignore() int64 {
	if o.SetIgnoreIndex {
		return o.IgnoreIndex
	}
	return DefaultIgnoreIndex
}

// CrossEntropyWith is PyTorch's cross_entropy(x, c, weight, ignore_index,
// reduction, label_smoothing) over logits x [B, C] and int64 class indices
// c [B], exactly as PyTorch 1.13 defines it. With lp = logsoftmax(x_n),
// ε the label smoothing, w the class weights (1 without Weight) and
// v_n = [c_n != ignore_index]:
//
//	l_n = v_n ((1-ε) (-w[c_n] lp[c_n]) + ε/C Σ_k (-w_k lp[k]))
//	Mean: Σ_n l_n / Σ_n v_n w[c_n]     Sum: Σ_n l_n     NoReduction: l [B]
//
// (the Mean divides the smoothing term by the same sum of target weights,
// as PyTorch does; with every target ignored it is 0/0 = NaN, as in
// PyTorch). Gradient, with p = softmax(x_n) and W = Σ_k w_k:
//
//	dl_n/dx_n = v_n ((1-ε) w[c_n] (p - onehot(c_n)) + ε/C (W p - w))
//
// times g (NoReduction: g_n) and divided by the Mean's denominator. It is
// its own op, not differentiable again. A target outside [0, C) that is
// not the ignore index is an error at run time.
func CrossEntropyWith(logits, classes *G.Node, opts CrossEntropyOptions) (out *G.Node, err error) {
	defer panics.Recover(&err, "CrossEntropy loss")
	if err := checkClasses("CrossEntropy loss", logits, classes); err != nil {
		return nil, err
	}
	if c := logits.Shape()[1]; opts.Weight != nil && len(opts.Weight) != c {
		return nil, errors.Errorf("CrossEntropy loss of %s %v: %d class weights, want %d", logits.Name(), logits.Shape(), len(opts.Weight), c)
	}
	// Constant weights live in the op (and its hash, in full): a Gorgonia
	// constant tensor hashes its printed value, which elides long tensors.
	return crossEntropyOpt(logits, classes, nil, append([]float64(nil), opts.Weight...), opts.Reduction, opts.LabelSmoothing, opts.ignore())
}

// crossEntropyOpt builds the op; w is nil or a float node [C] of the
// logits' dtype, weights nil or constant weights [C].
func crossEntropyOpt(x, classes, w *G.Node, weights []float64, red Reduction, eps float64, ignore int64) (*G.Node, error) {
	what := fmt.Sprintf("CrossEntropy loss of %s %v", x.Name(), x.Shape())
	if red != Mean && red != Sum && red != NoReduction {
		return nil, errors.Errorf("%s: unknown reduction %d", what, int(red))
	}
	if !(eps >= 0 && eps <= 1) {
		return nil, errors.Errorf("%s: label smoothing %g is outside [0, 1]", what, eps)
	}
	if err := checkClasses("CrossEntropy loss", x, classes); err != nil {
		return nil, err
	}
	op := &ceOptOp{red: red, eps: eps, ignore: ignore, weights: weights, shape: x.Shape().Clone()}
	in := []*G.Node{x, classes}
	if w != nil {
		if w.Dtype() != x.Dtype() || w.Dims() != 1 || w.Shape()[0] != x.Shape()[1] {
			return nil, errors.Errorf("%s: class weights %s must be %v [%d], got %v %v", what, w.Name(), x.Dtype(), x.Shape()[1], w.Dtype(), w.Shape())
		}
		op.weighted = true
		in = append(in, w)
	}
	out, err := Apply(op, in...)
	return out, errors.Wrap(err, what)
}

// ceOptOp is cross-entropy with PyTorch's options, over logits [B, C],
// classes [B] and optionally weights [C].
type ceOptOp struct {
	opBase
	red      Reduction
	eps      float64
	ignore   int64
	weighted bool         // the weights are a third input node
	weights  []float64    // or constant weights (CrossEntropyWith)
	shape    tensor.Shape // of the logits
}

// ceTerms holds the per-sample losses, the Mean's denominator and, when
// asked for, the per-sample gradients (unscaled by g or the denominator).
type ceTerms struct {
	loss  []float64
	denom float64
	grad  []float64
}

// terms computes the losses (and gradients when grad is true) of the
// inputs vs = x, classes[, w].
func (op *ceOptOp) terms(vs []G.Value, grad bool) (*ceTerms, error) {
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	b, c := op.shape[0], op.shape[1]
	d, ok := vs[1].(*tensor.Dense)
	if !ok || d.Dtype() != tensor.Int64 || d.DataSize() != b {
		return nil, errors.Errorf("%v: class indices must be an int64 tensor [%d], got %T", op, b, vs[1])
	}
	cs := d.Int64s()
	w := make([]float64, c)
	for i := range w {
		w[i] = 1
	}
	if op.weights != nil {
		w = op.weights
	}
	if op.weighted {
		if w, err = float64sOf(vs[2]); err != nil || len(w) != c {
			return nil, errors.Errorf("%v: class weights must be [%d] (%v)", op, c, err)
		}
	}
	wsum := 0.0
	for _, v := range w {
		wsum += v
	}
	t := &ceTerms{loss: make([]float64, b)}
	if grad {
		t.grad = make([]float64, b*c)
	}
	a, s := 1-op.eps, op.eps/float64(c)
	for n, k := range cs {
		if k == op.ignore {
			continue
		}
		if k < 0 || int(k) >= c {
			return nil, errors.Errorf("%v: class index %d at %d is out of range [0, %d) and not the ignore index %d", op, k, n, c, op.ignore)
		}
		row := x[n*c : (n+1)*c]
		lse := rowLSE(row)
		smooth := 0.0
		for j, v := range row {
			smooth -= w[j] * (v - lse)
		}
		t.loss[n] = a*w[k]*(lse-row[k]) + s*smooth
		t.denom += w[k]
		if grad {
			g := t.grad[n*c : (n+1)*c]
			for j, v := range row {
				p := math.Exp(v - lse)
				g[j] = a*w[k]*p + s*(wsum*p-w[j])
			}
			g[k] -= a * w[k]
		}
	}
	return t, nil
}

// scale is the factor of the reduction: 1/denominator for Mean, else 1.
func (op *ceOptOp) scale(t *ceTerms) float64 {
	if op.red == Mean {
		return 1 / t.denom
	}
	return 1
}

func (op *ceOptOp) outShape() tensor.Shape {
	if op.red == NoReduction {
		return tensor.Shape{op.shape[0]}
	}
	return tensor.ScalarShape()
}

func (op *ceOptOp) inTypes(a hm.Type) []hm.Type {
	ts := []hm.Type{G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: tensor.Int64}}
	if op.weighted {
		ts = append(ts, G.TensorType{Dims: 1, Of: a})
	}
	return ts
}

func (op *ceOptOp) Arity() int { return len(op.inTypes(nil)) }
func (op *ceOptOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(append(op.inTypes(a), typeOfDims(op.outShape().Dims(), a))...)
}
func (op *ceOptOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.outShape(), nil }
func (op *ceOptOp) Do(vs ...G.Value) (G.Value, error) {
	t, err := op.terms(vs, false)
	if err != nil {
		return nil, err
	}
	if op.red == NoReduction {
		return valueOf(t.loss, op.outShape(), dtypeOf(vs[0]))
	}
	total := 0.0
	for _, l := range t.loss {
		total += l
	}
	return valueOf([]float64{total * op.scale(t)}, nil, dtypeOf(vs[0]))
}
func (op *ceOptOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *ceOptOp) Hashcode() uint32      { return hashOf(op) }
func (op *ceOptOp) String() string {
	return fmt.Sprintf("crossentropy(%v, %v, smoothing=%g, ignore=%d, weighted=%v, weights=%v)", op.shape, op.red, op.eps, op.ignore, op.weighted, op.weights)
}
func (op *ceOptOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	d[0] = true
	if n == 3 {
		d[2] = true // the weights node
	}
	return d
}

// SymDiff is dx = ceOptGrad(x, c[, w], g) and, for a weights node,
// dw = ceOptWeightGrad(x, c, w, g).
func (op *ceOptOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	args := append(append(G.Nodes{}, in...), g)
	out := make(G.Nodes, len(in))
	var err error
	if out[0], err = Apply(&ceOptGradOp{ce: op}, args...); err != nil {
		return nil, err
	}
	if op.weighted {
		out[2], err = Apply(&ceOptGradOp{ce: op, weights: true}, args...)
	}
	return out, err
}

// weightGrad is dL/dw for upstream g (one value, or one per sample for
// NoReduction), with dl_n/dw_k = v_n ((1-ε)(-lp_n[k]) [k = c_n] + ε/C (-lp_n[k]))
// and, for Mean, dL/dw_k = (Σ_n dl_n/dw_k - L Σ_n v_n [k = c_n]) / D.
func (op *ceOptOp) weightGrad(vs []G.Value, t *ceTerms, g []float64) ([]float64, error) {
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, err
	}
	cs := vs[1].(*tensor.Dense).Int64s()
	c := op.shape[1]
	a, s := 1-op.eps, op.eps/float64(c)
	dw, dd := make([]float64, c), make([]float64, c)
	total := 0.0
	for n, k := range cs {
		if k == op.ignore {
			continue
		}
		gn := g[0]
		if op.red == NoReduction {
			gn = g[n]
		}
		row := x[n*c : (n+1)*c]
		lse := rowLSE(row)
		for j, v := range row {
			dw[j] -= gn * s * (v - lse)
		}
		dw[k] -= gn * a * (row[k] - lse)
		dd[k]++
		total += t.loss[n]
	}
	if op.red == Mean {
		for j := range dw {
			dw[j] = (dw[j] - g[0]*total/t.denom*dd[j]) / t.denom
		}
	}
	return dw, nil
}

// ceOptGradOp is ceOptOp's gradient with respect to the logits: the rows
// of dl_n/dx_n times g (g_n for NoReduction), over the Mean's denominator;
// with weights set, the gradient with respect to the weights node instead.
type ceOptGradOp struct {
	opBase
	ce      *ceOptOp
	weights bool
}

func (op *ceOptGradOp) Arity() int { return op.ce.Arity() + 1 }
func (op *ceOptGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	ts := append(op.ce.inTypes(a), typeOfDims(op.ce.outShape().Dims(), a), G.TensorType{Dims: 2, Of: a})
	if op.weights {
		ts[len(ts)-1] = G.TensorType{Dims: 1, Of: a}
	}
	return hm.NewFnType(ts...)
}
func (op *ceOptGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	if op.weights {
		return tensor.Shape{op.ce.shape[1]}, nil
	}
	return op.ce.shape.Clone(), nil
}
func (op *ceOptGradOp) Do(vs ...G.Value) (G.Value, error) {
	t, err := op.ce.terms(vs[:len(vs)-1], !op.weights)
	if err != nil {
		return nil, err
	}
	g, err := float64sOf(vs[len(vs)-1])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	if op.weights {
		dw, err := op.ce.weightGrad(vs, t, g)
		if err != nil {
			return nil, errors.Wrapf(err, "%v", op)
		}
		return valueOf(dw, tensor.Shape{op.ce.shape[1]}, dtypeOf(vs[0]))
	}
	c, scale := op.ce.shape[1], op.ce.scale(t)
	for i := range t.grad {
		gn := g[0]
		if op.ce.red == NoReduction {
			gn = g[i/c]
		}
		t.grad[i] *= gn * scale
	}
	return valueOf(t.grad, op.ce.shape, dtypeOf(vs[0]))
}
func (op *ceOptGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *ceOptGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *ceOptGradOp) String() string {
	if op.weights {
		return fmt.Sprintf("weightgrad %v", op.ce)
	}
	return fmt.Sprintf("grad %v", op.ce)
}
func (op *ceOptGradOp) DiffWRT(n int) []bool { return allTrue(n) }

// SymDiff is not available: refused with an error, so that a second
// derivative does not come out silently zero.
func (op *ceOptGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.New("crossentropy with options: second derivatives are not supported")
}

// buildCrossEntropy is the registry's builder: crossentropy(x, c[, w][,
// smoothing[, ignore_index[, reduction]]]), reduction 0 mean, 1 sum,
// 2 none. With only x and c it is the fused CrossEntropy.
func buildCrossEntropy(n []*G.Node, p []float64) (*G.Node, error) {
	if len(n) == 2 && len(p) == 0 {
		return CrossEntropy(n[0], n[1])
	}
	var w *G.Node
	if len(n) == 3 {
		w = n[2]
	}
	eps := oneFloat(p, 0)
	ignore, red := int64(DefaultIgnoreIndex), Mean
	if len(p) > 1 {
		if p[1] != math.Trunc(p[1]) {
			return nil, errors.Errorf("crossentropy: ignore_index %g is not an integer", p[1])
		}
		ignore = int64(p[1])
	}
	if len(p) > 2 {
		switch p[2] {
		case 0, 1, 2:
			red = Reduction(int(p[2]))
		default:
			return nil, errors.Errorf("crossentropy: reduction %g, want 0 (mean), 1 (sum) or 2 (none)", p[2])
		}
	}
	return crossEntropyOpt(n[0], n[1], w, nil, red, eps, ignore)
}

func init() {
	Register(&Spec{
		Name: "crossentropyopt", Family: "loss",
		Forward: "crossentropyopt(x, c[, w][, ε[, ignore[, red]]]) = Σ_n v_n((1-ε)(-w[c_n] lp_n[c_n]) + ε/C Σ_k -w_k lp_n[k]) / Σ_n v_n w[c_n] (mean), " +
			"lp = logsoftmax(x), v_n = [c_n != ignore]; red 0 mean, 1 sum (no division), 2 none ([B])",
		Gradient: "d/dx_n = v_n((1-ε) w[c_n](softmax(x_n) - onehot(c_n)) + ε/C(Σw softmax(x_n) - w)) ⊙ g / D; " +
			"d/dw_k = (Σ_n v_n((1-ε)(-lp_n[k])[k = c_n] + ε/C(-lp_n[k])) - L Σ_n v_n[k = c_n]) ⊙ g / D (mean; D = 1, no L term otherwise)",
		Notes: "ops.CrossEntropyWith: PyTorch 1.13's cross_entropy with weight, ignore_index (default -100), label_smoothing, reduction; " +
			"crossentropy(...) with these extra arguments is the same op. Gradient its own op (not differentiable again).",
		Build:    buildCrossEntropy,
		MinNodes: 2, MaxNodes: 3, MaxParams: 3,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{6, 5}, Domain: Domain{Min: -3, Max: 3}},
			{Name: "c", Shape: []int{6}, Classes: 5}, {Name: "w", Shape: []int{5}, Domain: Positive}},
			Params: []float64{0.1, 2}},
		Dtypes: floats,
	})
}

// KindCrossEntropyOpt is the kind of CrossEntropyWith.
var KindCrossEntropyOpt = NewKind("crossentropyopt")

// Identity is KindCrossEntropyOpt.
func (op *ceOptOp) Identity() Identity { return Identity{Kind: KindCrossEntropyOpt} }

// KindCrossEntropyOptGrad is the kind of CrossEntropyWith's gradient.
var KindCrossEntropyOptGrad = NewKind("crossentropyoptgrad")

// Identity is KindCrossEntropyOptGrad.
func (op *ceOptGradOp) Identity() Identity { return Identity{Kind: KindCrossEntropyOptGrad} }

// pickOp is out[b] = x[b, c_b], for x [B, C] and int64 classes c [B].
// Its gradient is scatterOp, and scatterOp's is pickOp: the two are each
// other's adjoint, so NLL is differentiable any number of times.
type pickOp struct {
	classOpBase
	shape tensor.Shape // [B, C]
}

func (op *pickOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(op.matOf(a), op.vecOfInt(), G.TensorType{Dims: 1, Of: a})
}
func (op *pickOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.shape[0]}, nil
}
func (op *pickOp) Do(vs ...G.Value) (G.Value, error) {
	x, cs, err := classInputs(op, op.shape, vs)
	if err != nil {
		return nil, err
	}
	b, c := op.shape[0], op.shape[1]
	res := make([]float64, b)
	for i := range res {
		res[i] = x[i*c+int(cs[i])]
	}
	return valueOf(res, tensor.Shape{b}, dtypeOf(vs[0]))
}
func (op *pickOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *pickOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindPick is the kind of pick(x, classes) (NLL's gather); input 1 is class indices.
	KindPick = NewKind("pick")
	// KindScatter is the kind of pick's gradient scatter; input 1 is class indices.
	KindScatter = NewKind("scatter")
)

// Identity is KindPick.
func (op *pickOp) Identity() Identity { return Identity{Kind: KindPick} }

func (op *pickOp) String() string { return fmt.Sprintf("pick%v", op.shape) }

// SymDiff is d/dx = scatter(g, c): g_b at [b, c_b], 0 elsewhere.
func (op *pickOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	gx, err := Apply(&scatterOp{shape: op.shape}, g, in[1])
	return G.Nodes{gx, nil}, err
}

// scatterOp is out[b, c_b] = v[b], 0 elsewhere, for v [B] and classes [B].
type scatterOp struct {
	classOpBase
	shape tensor.Shape // [B, C], the output
}

func (op *scatterOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 1, Of: a}, op.vecOfInt(), op.matOf(a))
}
func (op *scatterOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op *scatterOp) Do(vs ...G.Value) (G.Value, error) {
	v, cs, err := classInputs(op, op.shape, vs)
	if err != nil {
		return nil, err
	}
	b, c := op.shape[0], op.shape[1]
	res := make([]float64, b*c)
	for i := 0; i < b; i++ {
		res[i*c+int(cs[i])] = v[i]
	}
	return valueOf(res, op.shape, dtypeOf(vs[0]))
}
func (op *scatterOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *scatterOp) Hashcode() uint32      { return hashOf(op) }

// Identity is KindScatter.
func (op *scatterOp) Identity() Identity { return Identity{Kind: KindScatter} }

func (op *scatterOp) String() string { return fmt.Sprintf("scatter%v", op.shape) }

// SymDiff is d/dv = pick(g, c).
func (op *scatterOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	gv, err := Apply(&pickOp{shape: op.shape}, g, in[1])
	return G.Nodes{gv, nil}, err
}

var (
	_ G.UsePreallocDoer = (*ceOp)(nil)
	_ G.UsePreallocDoer = (*ceGradOp)(nil)
)

// preallocClasses checks a class op's two inputs and returns the class
// indices, which must fit shape [B, C].
func preallocClasses(op fmt.Stringer, shape tensor.Shape, vs []G.Value) ([]int64, error) {
	if len(vs) != 2 {
		return nil, errors.Errorf("%v: expected 2 inputs, got %d", op, len(vs))
	}
	cs, err := int64sOf(vs[1], shape[1])
	if err != nil || len(cs) != shape[0] {
		return nil, errors.Errorf("%v: bad class indices (%v)", op, err)
	}
	return cs, nil
}

// UsePreallocDo writes the cross-entropy into the scalar prealloc (*G.F64
// or *G.F32), computed in float64 as Do computes it.
func (op *ceOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	b, c := op.shape[0], op.shape[1]
	cs, err := preallocClasses(op, op.shape, vs)
	if err != nil {
		return nil, err
	}
	x, ok := vs[0].(*tensor.Dense)
	if !ok || x.RequiresIterator() || x.DataSize() != b*c {
		return nil, errors.Errorf("%v: logits must be a contiguous [%d, %d] tensor", op, b, c)
	}
	var total float64
	switch {
	case x.Dtype() == tensor.Float64:
		total = ceTotal(x.Float64s(), cs, c)
	case x.Dtype() == tensor.Float32:
		total = ceTotal(x.Float32s(), cs, c)
	}
	if op.red == Mean {
		total /= float64(b)
	}
	switch out := prealloc.(type) {
	case *G.F64:
		*out = G.F64(total)
	case *G.F32:
		*out = G.F32(float32(total))
	default:
		return nil, errors.Errorf("%v: preallocated value is a %T, want a scalar", op, prealloc)
	}
	return prealloc, nil
}

func ceTotal[T float32 | float64](x []T, cs []int64, c int) float64 {
	total := 0.0
	for i, k := range cs {
		row := x[i*c : (i+1)*c]
		total += rowLSEOf(row) - float64(row[k])
	}
	return total
}

// rowLSEOf is rowLSE over float64 conversions of row's elements.
func rowLSEOf[T float32 | float64](row []T) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, float64(v))
	}
	s := 0.0
	for _, v := range row {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

// UsePreallocDo writes (softmax(x) - onehot(c)) / B into prealloc, computed
// in float64 as Do computes it.
func (op *ceGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	b, c := op.shape[0], op.shape[1]
	cs, err := preallocClasses(op, op.shape, vs)
	if err != nil {
		return nil, err
	}
	x, y, _, err := matrices("crossentropygrad", vs[0], prealloc)
	if err != nil || x.DataSize() != b*c || y.DataSize() != b*c {
		return nil, errors.Errorf("%v: logits and output must be contiguous [%d, %d] tensors (%v)", op, b, c, err)
	}
	scale := 1.0
	if op.red == Mean {
		scale = 1 / float64(b)
	}
	if x.Dtype() == tensor.Float64 {
		ceGradInto(y.Float64s(), x.Float64s(), cs, c, scale)
	} else {
		ceGradInto(y.Float32s(), x.Float32s(), cs, c, scale)
	}
	return prealloc, nil
}

func ceGradInto[T float32 | float64](y, x []T, cs []int64, c int, scale float64) {
	for i, k := range cs {
		row := x[i*c : (i+1)*c]
		lse := rowLSEOf(row)
		for j, v := range row {
			d := math.Exp(float64(v)-lse) * scale
			if j == int(k) {
				d -= scale
			}
			y[i*c+j] = T(d)
		}
	}
}
