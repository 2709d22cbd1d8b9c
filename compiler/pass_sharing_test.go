package compiler

import (
	"fmt"
	"hash"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// trainFiring compiles loss over params with the given outputs, fails t
// unless rule fired exactly once, and runs one training pass.
func trainFiring(t *testing.T, rule string, loss *G.Node, params []*G.Node, outputs ...*G.Node) *Program {
	t.Helper()
	p, err := Compile(loss, params, WithOutputs(outputs...))
	if err != nil {
		t.Fatal(err)
	}
	if p.Passes().Count(rule) != 1 {
		t.Fatalf("rule %q did not fire once:\n%s", rule, p.Passes().Text())
	}
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
	return p
}

// Gorgonia issue 569: softmax and log-softmax of one input, both used.
// Gorgonia's G.Log(G.SoftMax(x)) flips the softmax node to log-softmax for
// every user at build time; symgrad's passes rewrite a copy, so the
// softmax keeps its meaning next to the log-softmax the rule builds.
func TestSoftmaxAndLogSoftmaxOfOneInput(t *testing.T) {
	g := G.NewGraph()
	x := G.Must(NewParam(g, "x", dense([]int{2, 3}, 0.5, -1, 2, 3, 0, -2)))
	s := G.Must(ops.Softmax(x, 1))
	ls := G.Must(ops.LogSoftmax(x, 1))
	logS := G.Must(G.Log(s)) // rewritten to logsoftmax in the program
	loss := G.Must(G.Sum(G.Must(G.Add(G.Must(G.Add(s, ls)), logS))))
	p := trainFiring(t, ruleLogSoftmax, loss, []*G.Node{x}, s, ls, logS)
	xs := []float64{0.5, -1, 2, 3, 0, -2}
	sv, lv, lsv := p.Output(0).Data().([]float64), p.Output(1).Data().([]float64), p.Output(2).Data().([]float64)
	for r := 0; r < 2; r++ {
		row := xs[3*r : 3*r+3]
		lse := math.Log(math.Exp(row[0]) + math.Exp(row[1]) + math.Exp(row[2]))
		for j := range row {
			want := row[j] - lse
			k := 3*r + j
			if !near(sv[k], math.Exp(want), 1e-14) || !near(lv[k], want, 1e-14) || !near(lsv[k], want, 1e-14) {
				t.Errorf("[%d,%d]: softmax %v log-softmax %v log(softmax) %v, want %v %v %v", r, j, sv[k], lv[k], lsv[k], math.Exp(want), want, want)
			}
		}
	}
	// Gorgonia's own ops, for the record: G.Log of G.SoftMax rewrites the
	// shared softmax node in place while the user builds the graph.
	g2 := G.NewGraph()
	x2 := G.Must(NewParam(g2, "x", dense([]int{3}, 1, 2, 3)))
	gs := G.Must(G.SoftMax(x2))
	_ = G.Must(G.Log(gs))
	if !ops.Identify(gs).Log {
		t.Skip("this Gorgonia no longer rewrites Log(SoftMax) in place")
	}
}

// hashlessOp multiplies by k but leaves k out of its hash, like
// Gorgonia's softmax leaves out its log flag.
type hashlessOp struct {
	elementwise
	k float64
}

func (op *hashlessOp) Do(in ...G.Value) (G.Value, error) {
	return in[0].(*tensor.Dense).MulScalar(op.k, true)
}
func (op *hashlessOp) String() string        { return fmt.Sprintf("hashless(k=%v)", op.k) }
func (op *hashlessOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "hashless") }
func (op *hashlessOp) Hashcode() uint32      { return 42 }
func (op *hashlessOp) DiffWRT(int) []bool    { return []bool{true} }

// SymDiff is k·g, with a hash-complete op: the gradient graph is
// Gorgonia's to build, and its hash-consing would merge two hashlessOps.
func (op *hashlessOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	d, err := G.Mul(g, g.Graph().AddNode(G.NewConstant(op.k)))
	return G.Nodes{d}, err
}

// Two ops that hash alike but compute different things never merge: here
// x*1 -> x makes op(x*1, k=2) and op(x, k=3) look the same to Gorgonia's
// hash-consing.
func TestHashlessOpsNeverMerge(t *testing.T) {
	g := G.NewGraph()
	x := G.Must(NewParam(g, "x", dense([]int{2}, 1, 2)))
	a := G.Must(G.ApplyOp(&hashlessOp{k: 2}, G.Must(G.Mul(x, MustConstant(g, 1.0)))))
	b := G.Must(G.ApplyOp(&hashlessOp{k: 3}, x))
	loss := G.Must(G.Sum(G.Must(G.Add(a, b))))
	p := trainFiring(t, ruleMulOne, loss, []*G.Node{x}, a, b)
	if av, bv := p.Output(0).Data().([]float64), p.Output(1).Data().([]float64); av[1] != 4 || bv[1] != 6 {
		t.Errorf("outputs %v and %v, want [2 4] and [3 6]", av, bv)
	}
	if g := p.Params()[0].Grad.Data().([]float64); g[0] != 5 {
		t.Errorf("grad %v, want [5 5]", g)
	}
}

// Two dropouts of one input draw different masks, also after a rewrite
// makes their inputs the same node.
func TestDropoutsStayDistinct(t *testing.T) {
	g := G.NewGraph()
	x := G.Must(NewParam(g, "x", dense([]int{64}, seq(64, 1)...)))
	d1 := G.Must(ops.Dropout(G.Must(G.Mul(x, MustConstant(g, 1.0))), 0.5, 1))
	d2 := G.Must(ops.Dropout(x, 0.5, 1))
	loss := G.Must(G.Sum(G.Must(G.Add(d1, d2))))
	p, err := Compile(loss, []*G.Node{x}, WithOutputs(d1, d2))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
	a, b := p.Output(0).Data().([]float64), p.Output(1).Data().([]float64)
	same := true
	for i := range a {
		same = same && (a[i] == 0) == (b[i] == 0)
	}
	if same {
		t.Error("the two dropouts drew the same mask")
	}
}
