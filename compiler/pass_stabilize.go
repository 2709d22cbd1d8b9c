package compiler

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"
)

// The stabilize phase: patterns that overflow, underflow or lose
// precision, replaced by the stable ops that compute the same function.
// Each replacement is built next to the pattern; the pattern's nodes stay
// for any other user of them (Gorgonia's build-time rewrite of
// Log(SoftMax(x)) instead flips the softmax node itself to log-softmax for
// every user: gorgonia issue 569).

// LogSoftmax is log(softmax(x)) -> logsoftmax(x): symgrad's softmax is
// exp(logsoftmax(x)), so the log takes the logsoftmax node itself (and
// Gorgonia's softmax, if canonicalize did not run, is replaced).
var LogSoftmax = &Rule{Name: "log(softmax(x)) -> logsoftmax(x)", Phase: Stabilize, SecondOrder: true,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		s, ok := isUnary(n, ops.KindLog)
		if !ok {
			return nil, nil
		}
		if id := ops.Identify(s); id.Kind == ops.KindSoftmax && !id.Log && isFloat(s.Dtype()) {
			return ops.LogSoftmax(children(s)[0], id.Axis)
		}
		if ls, ok := isUnary(s, ops.KindExp); ok {
			if _, _, ok := ops.IsLogSoftmax(ls); ok && fits(ls, n) {
				return ls, nil
			}
		}
		return nil, nil
	}}

// LogExp is log(exp(x)) -> x (exact for real x; exp overflows first).
var LogExp = &Rule{Name: "log(exp(x)) -> x", Phase: Stabilize, SecondOrder: true, Rewrite: cancel(ops.KindLog, ops.KindExp)}

// LogSigmoid is log(sigmoid(x)) -> -softplus(-x), finite for any x
// (log σ(x) underflows to -Inf below x ≈ -745 in float64).
var LogSigmoid = &Rule{Name: "log(sigmoid(x)) -> -softplus(-x)", Phase: Stabilize, SecondOrder: true,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		s, ok := isUnary(n, ops.KindLog)
		if !ok {
			return nil, nil
		}
		x, ok := sigmoidInput(s)
		if !ok || !fits(x, n) {
			return nil, nil
		}
		nx, err := G.Neg(x)
		if err != nil {
			return nil, err
		}
		sp, err := ops.Softplus(nx)
		if err != nil {
			return nil, err
		}
		return G.Neg(sp)
	}}

// sigmoidInput matches Gorgonia's or symgrad's sigmoid.
func sigmoidInput(n *G.Node) (*G.Node, bool) {
	if x, ok := isUnary(n, ops.KindSigmoid); ok {
		return x, true
	}
	if id := ops.Identify(n); id.Kind == ops.KindElementwise && id.Name == "sigmoid" {
		return children(n)[0], true
	}
	return nil, false
}

// Log1p is log(1+x) -> log1p(x), and log(1-x) -> log1p(-x): accurate
// for small x, where 1+x rounds x away.
var Log1p = &Rule{Name: "log(1+x) -> log1p(x)", Phase: Stabilize, SecondOrder: true,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		a, ok := isUnary(n, ops.KindLog)
		if !ok {
			return nil, nil
		}
		sym, l, r, ok := binary(a)
		var x *G.Node
		switch {
		case !ok:
			return nil, nil
		case sym == ops.KindAdd && isConst(l, 1):
			x = r
		case sym == ops.KindAdd && isConst(r, 1):
			x = l
		case sym == ops.KindSub && isConst(l, 1) && fits(r, n):
			neg, err := G.Neg(r)
			if err != nil {
				return nil, err
			}
			x = neg
		default:
			return nil, nil
		}
		if !fits(x, n) {
			return nil, nil
		}
		return applyLike("log1p", G.Log1p, x)
	}}

// applyLike applies one of Gorgonia's unary ops to x without going through
// its builder's own build-time rewrites (G.Log1p turns log1p(exp(x)) into
// Gorgonia's softplus, which is x itself above 16): the op is taken from
// the builder applied to a stand-in leaf in a scratch graph.
func applyLike(name string, build func(*G.Node) (*G.Node, error), x *G.Node) (*G.Node, error) {
	scratch := G.NewGraph()
	var leaf *G.Node
	if x.IsScalar() {
		leaf = G.NewScalar(scratch, x.Dtype(), G.WithName("x"))
	} else {
		leaf = G.NewTensor(scratch, x.Dtype(), x.Dims(), G.WithName("x"), G.WithShape(x.Shape().Clone()...))
	}
	proto, err := build(leaf)
	if err != nil {
		return nil, errors.Wrapf(err, "%s of %v", name, x.Shape())
	}
	return G.ApplyOp(proto.Op(), x)
}

// NLLLogSoftmax is nll(logsoftmax(x), c) -> crossentropy(x, c): the fused
// op computes the loss and its gradient softmax(x) - onehot(c) in one
// pass each. Its gradient op is not differentiated again, so this rule
// does not run when compiling for second derivatives.
var NLLLogSoftmax = &Rule{Name: "nll(logsoftmax(x), c) -> crossentropy(x, c)", Phase: Stabilize,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		r, ok := isUnary(n, ops.KindNeg)
		if !ok {
			return nil, nil
		}
		picked, red, ok := reduction(r)
		if !ok {
			return nil, nil
		}
		l, c, ok := ops.IsPick(picked)
		if !ok {
			return nil, nil
		}
		x, axis, ok := ops.IsLogSoftmax(l)
		if !ok || axis != 1 || x.Dims() != 2 {
			return nil, nil
		}
		return ops.CrossEntropy(x, c, red)
	}}

// BCESigmoid is bce(sigmoid(x), t) -> bcewithlogits(x, t): exact for any
// logit, where BCE's clamped log of a saturated sigmoid is off by up to
// |x| (and its gradient is 0 there).
var BCESigmoid = &Rule{Name: "bce(sigmoid(x), t) -> bcewithlogits(x, t)", Phase: Stabilize, SecondOrder: true,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		terms, red, ok := reduction(n)
		if !ok {
			return nil, nil
		}
		p, t, ok := ops.IsBCE(terms)
		if !ok {
			return nil, nil
		}
		x, ok := sigmoidInput(p)
		if !ok || !x.Shape().Eq(t.Shape()) {
			return nil, nil
		}
		return ops.BCEWithLogits(x, t, red)
	}}

// reduction matches sum(x) (all axes) and mean(x) = sum(x) / |x| (after
// canonicalize made the size a constant) and returns x.
func reduction(n *G.Node) (x *G.Node, r ops.Reduction, ok bool) {
	if !n.IsScalar() {
		return nil, 0, false
	}
	if ops.KindOf(n) == ops.KindSum {
		return children(n)[0], ops.Sum, true
	}
	sym, s, d, ok := binary(n)
	if !ok || sym != ops.KindDiv || ops.KindOf(s) != ops.KindSum {
		return nil, 0, false
	}
	x = children(s)[0]
	if size, ok := scalarConst(d); !ok || x.IsScalar() || size != float64(x.Shape().TotalSize()) {
		return nil, 0, false
	}
	return x, ops.Mean, true
}

// stabilizeRules is the stabilize phase, in the order tried.
var stabilizeRules = []*Rule{LogSoftmax, LogExp, LogSigmoid, Log1p, NLLLogSoftmax, BCESigmoid}

// DefaultRules returns the rules Compile runs, in phase order.
func DefaultRules() []*Rule {
	out := append([]*Rule{}, canonicalRules...)
	out = append(out, stabilizeRules...)
	return append(out, fuseRules...)
}
