package rewrite

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"
)

// stabilize is the stabilize phase, in the order tried: patterns that
// overflow, underflow or lose precision, replaced by the stable ops that
// compute the same function. Each replacement is built next to the
// pattern; the pattern's nodes stay for any other user of them
// (Gorgonia's build-time rewrite of Log(SoftMax(x)) instead flips the
// softmax node itself to log-softmax for every user: gorgonia issue 569).
func stabilize() []*Rule {
	x, c, t := V("x"), V("c"), V("t")
	log := func(p *Pattern) *Pattern { return Op(ops.KindLog, p) }
	return []*Rule{
		documented("symgrad's softmax is exp(logsoftmax(x)), so the log takes the logsoftmax node itself; Gorgonia's softmax, if canonicalize did not run, is replaced. The softmax stays for its other users.",
			FromCases(true,
				Case{log(Op(ops.KindSoftmax, x).If(plainSoftmax).As("s")), "logsoftmax(x)", func(m *Match, _ *G.Node) (*G.Node, error) {
					return ops.LogSoftmax(m.Node("x"), ops.Identify(m.Node("s")).Axis)
				}},
				Case{log(Op(ops.KindExp, logSoftmax(x).As("ls"))), "logsoftmax(x)", same("ls")})),
		documented("Exact for real x; exp overflows first.", FromCases(true, Case{log(Op(ops.KindExp, x)), "x", same("x")})),
		documented("log σ(x) underflows to -Inf below x ≈ -745 in float64; -softplus(-x) is finite for any x. Gorgonia's sigmoid and symgrad's.",
			FromCases(true, Case{log(sigmoid(x)), "-softplus(-x)", applied(G.Neg, ops.Softplus, G.Neg)})),
		documented("Accurate for small x, where 1+x rounds x away. The log1p op is applied without Gorgonia's builder, which turns log1p(exp(x)) into its softplus (x itself above 16).",
			FromCases(true,
				Case{log(Op(ops.KindAdd, C(1), x)), "log1p(x)", applied(log1p)},
				Case{log(Op(ops.KindAdd, x, C(1))), "log1p(x)", applied(log1p)})),
		documented("As log(1 + x).", FromCases(true, Case{log(Op(ops.KindSub, C(1), x)), "log1p(-x)", applied(G.Neg, log1p)})),
		documented("The fused op computes the loss and its gradient softmax(x) - onehot(c) in one pass each, for a sum or a mean over the batch. Its gradient op is not differentiated again, so this rule does not run when compiling for second derivatives.",
			FromCases(false, Case{nll(logSoftmax(x.If(matrix)).If(classAxis), c).As("nll"), "crossentropy(x, c)",
				func(m *Match, _ *G.Node) (*G.Node, error) {
					return ops.CrossEntropy(m.Node("x"), m.Node("c"), reductionOf(m.Node("nll")))
				}})),
		documented("Exact for any logit, where BCE's clamped log of a saturated sigmoid is off by up to |x| (and its gradient is 0 there). Mean and sum reductions.",
			FromCases(true, Case{bce(sigmoid(x), t).As("bce"), "bcewithlogits(x, t)", func(m *Match, _ *G.Node) (*G.Node, error) {
				x, t := m.Node("x"), m.Node("t")
				if !x.Shape().Eq(t.Shape()) {
					return nil, nil
				}
				return ops.BCEWithLogits(x, t, reductionOf(m.Node("bce")))
			}})),
	}
}

// plainSoftmax is the condition: Gorgonia's softmax (not its
// log-softmax), of a float dtype.
func plainSoftmax(n *G.Node) bool { return !ops.Identify(n).Log && floating(n) }

// sigmoid matches Gorgonia's sigmoid or symgrad's.
func sigmoid(x *Pattern) *Pattern {
	return OneOf(Op(ops.KindSigmoid, x), Composite("sigmoid", func(n *G.Node) (G.Nodes, bool) {
		if id := ops.Identify(n); id.Kind == ops.KindElementwise && id.Name == "sigmoid" {
			return ops.Inputs(n), true
		}
		return nil, false
	}, x))
}

// logSoftmax matches symgrad's log-softmax (ops.IsLogSoftmax); the node
// keeps its axis.
func logSoftmax(x *Pattern) *Pattern {
	return Composite("logsoftmax", func(n *G.Node) (G.Nodes, bool) {
		x, _, ok := ops.IsLogSoftmax(n)
		return G.Nodes{x}, ok
	}, x)
}

// classAxis is the condition: a log-softmax over axis 1.
func classAxis(n *G.Node) bool {
	_, axis, ok := ops.IsLogSoftmax(n)
	return ok && axis == 1
}

// nll matches the negative log-likelihood -reduce(pick(l, c)) of the
// class scores c picks from l, reduce a sum or a mean (reductionOf).
func nll(l, c *Pattern) *Pattern {
	return Composite("nll", func(n *G.Node) (G.Nodes, bool) {
		if ops.KindOf(n) != ops.KindNeg {
			return nil, false
		}
		picked, _, ok := reduction(ops.Inputs(n)[0])
		if !ok {
			return nil, false
		}
		l, c, ok := ops.IsPick(picked)
		return G.Nodes{l, c}, ok
	}, l, c)
}

// bce matches reduce(bce(p, t)) (ops.IsBCE), reduce a sum or a mean.
func bce(p, t *Pattern) *Pattern {
	return Composite("bce", func(n *G.Node) (G.Nodes, bool) {
		terms, _, ok := reduction(n)
		if !ok {
			return nil, false
		}
		p, t, ok := ops.IsBCE(terms)
		return G.Nodes{p, t}, ok
	}, p, t)
}

// reductionOf is the reduction nll or bce matched at n.
func reductionOf(n *G.Node) ops.Reduction {
	if ops.KindOf(n) == ops.KindNeg {
		n = ops.Inputs(n)[0]
	}
	_, r, _ := reduction(n)
	return r
}

// reduction matches sum(x) (all axes) and mean(x) = sum(x) / |x| (after
// canonicalize made the size a constant) and returns x.
func reduction(n *G.Node) (x *G.Node, r ops.Reduction, ok bool) {
	if !n.IsScalar() {
		return nil, 0, false
	}
	if ops.KindOf(n) == ops.KindSum {
		return ops.Inputs(n)[0], ops.Sum, true
	}
	in := ops.Inputs(n)
	if ops.KindOf(n) != ops.KindDiv || len(in) != 2 || ops.KindOf(in[0]) != ops.KindSum {
		return nil, 0, false
	}
	x = ops.Inputs(in[0])[0]
	if size, ok := scalarConst(in[1]); !ok || x.IsScalar() || size != float64(x.Shape().TotalSize()) {
		return nil, 0, false
	}
	return x, ops.Mean, true
}

// log1p is log1p(x), built by applyLike.
func log1p(x *G.Node) (*G.Node, error) { return applyLike("log1p", G.Log1p, x) }

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
