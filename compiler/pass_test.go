package compiler

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler/rewrite"
	"github.com/symgrad/symgrad/ops"
)

// ruleCase builds a loss holding one rule's pattern. params are
// differentiated; inputs are bound by name.
type ruleCase struct {
	name  string
	rules []*Rule // the rule under test last; earlier ones prepare the graph
	build func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node
}

var ruleCases = []ruleCase{
	{"x*1", mustRules(ruleMulOne), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		return G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.Mul(G.Must(G.Tanh(w)), MustConstant(g, 1.0))), x))))
	}},
	{"x+0", mustRules(ruleAddZero), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		return G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.Add(w, MustConstant(g, 0.0))), w))))
	}},
	{"--x", mustRules(ruleNegNeg), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		n1 := G.Must(G.Neg(w))
		n2 := G.Must(G.ApplyOp(n1.Op(), n1)) // G.Neg(G.Neg(w)) would return w at build time
		return G.Must(G.Sum(G.Must(G.HadamardProd(n2, G.Must(G.Exp(x))))))
	}},
	{"transpose∘transpose", mustRules(ruleTransposes), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		tt := G.Must(G.Transpose(G.Must(G.Transpose(w))))
		return G.Must(G.Sum(G.Must(G.HadamardProd(tt, G.Must(G.Square(x))))))
	}},
	{"reshape chain", mustRules(ruleReshapeChain), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		r := G.Must(ops.Reshape(G.Must(ops.Reshape(w, 3, 2)), 6))
		return G.Must(G.Sum(G.Must(G.Square(r))))
	}},
	{"reshape no-op", mustRules(ruleReshapeNoop), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		r := G.Must(ops.Reshape(w, 2, 3))
		return G.Must(G.Sum(G.Must(G.HadamardProd(r, x))))
	}},
	{"static size", mustRules(ruleStaticSize), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		return G.Must(G.Mean(G.Must(G.HadamardProd(w, w))))
	}},
	{"fold constants", mustRules(ruleFoldConstants), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		c := G.Must(G.Add(MustConstant(g, dense([]int{2, 3}, seq(6, 0.5)...)), MustConstant(g, 2.0)))
		return G.Must(G.Sum(G.Must(G.HadamardProd(w, G.Must(G.Exp(c))))))
	}},
	{"gorgonia softmax", mustRules(ruleSoftmaxG), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		return G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.SoftMax(w)), x))))
	}},
	{"log(softmax)", mustRules(ruleLogSoftmax), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		return G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.Log(G.Must(ops.Softmax(w, 1)))), x))))
	}},
	{"log(exp)", mustRules(ruleLogExp), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		return G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.Log(G.Must(G.Exp(w)))), x))))
	}},
	{"log(sigmoid)", mustRules(ruleLogSigmoid), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		return G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.Log(G.Must(ops.Sigmoid(w)))), x))))
	}},
	{"log(1+x)", mustRules(ruleLog1p), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		a := G.Must(G.Add(MustConstant(g, 1.0), G.Must(G.HadamardProd(w, w))))
		return G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.Log(a)), x))))
	}},
	{"log(x+1)", mustRules(ruleLog1p), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		a := G.Must(G.Add(G.Must(G.HadamardProd(w, w)), MustConstant(g, 1.0)))
		return G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.Log(a)), x))))
	}},
	{"log(1-x)", mustRules(ruleLog1pNeg), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		quarter := G.Must(G.HadamardDiv(G.Must(G.HadamardProd(w, w)), MustConstant(g, 4.0))) // w²/4 < 1
		a := G.Must(G.Sub(MustConstant(g, 1.0), quarter))
		return G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.Log(a)), x))))
	}},
	{"nll(logsoftmax)", mustRules(ruleStaticSize, ruleFoldConstants, ruleNLL), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		c := G.Must(NewInput(g, "c", tensor.Int64, 2))
		return G.Must(ops.NLL(G.Must(ops.LogSoftmax(w, 1)), c))
	}},
	{"bce(sigmoid)", mustRules(ruleStaticSize, ruleFoldConstants, ruleBCE), func(t *testing.T, g *G.ExprGraph, w, x *G.Node) *G.Node {
		tgt := G.Must(NewInput(g, "t", tensor.Float64, 2, 3))
		return G.Must(ops.BCE(G.Must(ops.Sigmoid(w)), tgt))
	}},
}

// TestRules runs each rule on its pattern and checks that it fired, that
// the program's loss and gradients equal those of the unrewritten copy,
// and that the rewritten gradients match central differences.
func TestRules(t *testing.T) {
	for _, c := range ruleCases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(len(c.name))))
			g := G.NewGraph()
			w := G.Must(NewParam(g, "w", dense([]int{2, 3}, randVals(rng, 6)...)))
			x := G.Must(NewInput(g, "x", tensor.Float64, 2, 3))
			loss := c.build(t, g, w, x)
			plain, err := Compile(loss, []*G.Node{w}, WithPasses(false))
			if err != nil {
				t.Fatal(err)
			}
			prog, err := Compile(loss, []*G.Node{w}, WithRules(c.rules...))
			if err != nil {
				t.Fatal(err)
			}
			rule := c.rules[len(c.rules)-1]
			rep := prog.Passes()
			if rep.Count(rule.Name) == 0 {
				t.Fatalf("rule %q did not fire:\n%s", rule.Name, rep.Text())
			}
			t.Logf("%s", rep.Text())
			for _, p := range []*Program{plain, prog} {
				bindTestInputs(t, p, rand.New(rand.NewPCG(7, 99))) // the same values in both
				if err := p.RunTrain(); err != nil {
					t.Fatal(err)
				}
			}
			if !near(plain.Loss(), prog.Loss(), 1e-12) {
				t.Errorf("loss: %v before the rewrite, %v after", plain.Loss(), prog.Loss())
			}
			a, b := plain.Params()[0].Grad.Data().([]float64), prog.Params()[0].Grad.Data().([]float64)
			for i := range a {
				if !near(a[i], b[i], 1e-10) {
					t.Errorf("grad[%d]: %v before the rewrite, %v after", i, a[i], b[i])
				}
			}
			checkAllNumericGrads(t, prog)
		})
	}
}

func randVals(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 0.2 + 1.5*rng.Float64()
		if rng.IntN(2) == 0 {
			v[i] = -v[i]
		}
	}
	return v
}

// bindTestInputs binds seeded values to x, c (classes) and t (targets).
func bindTestInputs(t *testing.T, p *Program, rng *rand.Rand) {
	t.Helper()
	for _, in := range p.Inputs() {
		var v *tensor.Dense
		switch in.Name() {
		case "c":
			v = tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{int64(rng.IntN(3)), int64(rng.IntN(3))}))
		case "t":
			v = dense([]int{2, 3}, randUnit(rng, 6)...)
		default:
			v = dense(in.Shape(), randVals(rng, in.Shape().TotalSize())...)
		}
		bind(t, p, in.Name(), v)
	}
}

func randUnit(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.Float64()
	}
	return v
}

func near(a, b, rtol float64) bool {
	return math.Abs(a-b) <= rtol*(1+math.Max(math.Abs(a), math.Abs(b)))
}

// A rule whose replacement has another shape is an error naming it.
func TestRuleShapeIsChecked(t *testing.T) {
	bad := &Rule{Name: "bad", Phase: Canonicalize, Rewrite: func(n *G.Node) (*G.Node, error) {
		var m rewrite.Match
		if rewrite.Op(ops.KindExp, rewrite.V("x")).Match(n, &m) {
			return G.Sum(m.Node("x"))
		}
		return nil, nil
	}}
	g := G.NewGraph()
	w := G.Must(NewParam(g, "w", dense([]int{3}, 1, 2, 3)))
	loss := G.Must(G.Sum(G.Must(G.Exp(w))))
	_, err := Compile(loss, []*G.Node{w}, WithRules(bad))
	if err == nil || !strings.Contains(err.Error(), `rule "bad"`) || !strings.Contains(err.Error(), "(3)") {
		t.Fatalf("got %v, want an error naming the rule and the shapes", err)
	}
}

// The stabilize phase changes results where they matter: log σ(x)
// underflows to -Inf below x ≈ -745; -softplus(-x) is exact.
func TestLogSigmoidStaysFinite(t *testing.T) {
	for _, on := range []bool{true, false} {
		g := G.NewGraph()
		w := G.Must(NewParam(g, "w", dense([]int{2}, -800, 1)))
		loss := G.Must(G.Sum(G.Must(G.Log(G.Must(ops.Sigmoid(w))))))
		p, err := Compile(loss, []*G.Node{w}, WithPasses(on), WithNaNGuard(false))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.RunTrain(); err != nil {
			t.Fatal(err)
		}
		want := -800 - math.Log1p(math.Exp(-1))
		switch got := p.Loss(); {
		case on && !near(got, want, 1e-14):
			t.Errorf("with passes: loss %v, want %v", got, want)
		case !on && !math.IsInf(got, -1):
			t.Errorf("without passes: loss %v, want -Inf (the pattern the rule fixes)", got)
		}
	}
}
