package compiler

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler/rewrite"
	"github.com/symgrad/symgrad/internal/floatdense"
)

// fuseCase builds a loss and an output holding one fuse rule's pattern,
// in raw Gorgonia, for a dtype. want are op labels the program's forward
// graph must hold after the passes, gone those it must not.
type fuseCase struct {
	name  string
	rules []*Rule // the rule under test last; earlier ones prepare the graph
	want  []string
	gone  []string
	build func(g *G.ExprGraph, dt tensor.Dtype) (loss, out *G.Node, params []*G.Node)
}

// fuseParam is a seeded parameter of shape s.
func fuseParam(g *G.ExprGraph, dt tensor.Dtype, name string, seed uint64, s ...int) *G.Node {
	v := randVals(rand.New(rand.NewPCG(seed, 3)), tensor.Shape(s).TotalSize())
	return G.Must(NewParam(g, name, floatdense.Of(dt, s, v)))
}

var fuseCases = []fuseCase{
	{"x @ transpose(W)", mustRules(ruleGemmTransB), []string{"gemm(A,Bᵀ)"}, []string{"Aᵀ{1, 0}", "A × B"},
		func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, *G.Node, []*G.Node) {
			x := G.Must(NewInput(g, "x", dt, 4, 3))
			w := fuseParam(g, dt, "W", 1, 2, 3)
			y := G.Must(G.Mul(x, G.Must(G.Transpose(w))))
			return G.Must(G.Sum(G.Must(G.Tanh(y)))), y, []*G.Node{w}
		}},
	{"transpose(A) @ B", mustRules(ruleGemmTransA), []string{"gemm(Aᵀ,B)"}, []string{"Aᵀ{1, 0}", "A × B"},
		func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, *G.Node, []*G.Node) {
			a := fuseParam(g, dt, "A", 2, 4, 3)
			b := fuseParam(g, dt, "B", 3, 4, 2)
			y := G.Must(G.Mul(G.Must(G.Transpose(a)), b))
			return G.Must(G.Sum(G.Must(G.Square(y)))), y, []*G.Node{a, b}
		}},
	{"transpose(A) @ transpose(B)", mustRules(ruleGemmTransA), []string{"gemm(Aᵀ,Bᵀ)"}, []string{"Aᵀ{1, 0}", "A × B"},
		func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, *G.Node, []*G.Node) {
			a := fuseParam(g, dt, "A", 4, 4, 3)
			b := fuseParam(g, dt, "B", 5, 2, 4)
			y := G.Must(G.Mul(G.Must(G.Transpose(a)), G.Must(G.Transpose(b))))
			return G.Must(G.Sum(G.Must(G.Tanh(y)))), y, []*G.Node{a, b}
		}},
	{"x @ W + b", mustRules(ruleBiasRows), []string{"broadcastrows(rows=4)", "A × B"}, []string{"Repeat0", "SizeOf=4"},
		func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, *G.Node, []*G.Node) {
			x := G.Must(NewInput(g, "x", dt, 4, 3))
			w := fuseParam(g, dt, "W", 6, 3, 2)
			b := fuseParam(g, dt, "b", 7, 2)
			y := G.Must(G.BroadcastAdd(G.Must(G.Mul(x, w)), b, nil, []byte{0}))
			return G.Must(G.Sum(G.Must(G.Tanh(y)))), y, []*G.Node{w, b}
		}},
	{"x * b (1×N bias)", mustRules(ruleBiasRows), []string{"broadcastrows(rows=4)", "reshape(1, 3)->(3)"}, []string{"Repeat0"},
		func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, *G.Node, []*G.Node) {
			x := fuseParam(g, dt, "x", 8, 4, 3)
			b := fuseParam(g, dt, "b", 9, 1, 3)
			y := G.Must(G.BroadcastHadamardProd(x, b, nil, []byte{0}))
			return G.Must(G.Sum(G.Must(G.Tanh(y)))), y, []*G.Node{x, b}
		}},
	{"x @ transpose(W) + b", mustRules(ruleGemmTransB, ruleBiasRows, ruleLinear), []string{"linear(x·Wᵀ+b)"},
		[]string{"Aᵀ{1, 0}", "A × B", "Repeat0", "gemm(A,Bᵀ)", "broadcastrows(rows=4)"},
		func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, *G.Node, []*G.Node) {
			x := G.Must(NewInput(g, "x", dt, 4, 3))
			w := fuseParam(g, dt, "W", 10, 2, 3)
			b := fuseParam(g, dt, "b", 11, 2)
			y := G.Must(G.BroadcastAdd(G.Must(G.Mul(x, G.Must(G.Transpose(w)))), b, nil, []byte{0}))
			return G.Must(G.Sum(G.Must(G.Tanh(y)))), y, []*G.Node{w, b}
		}},
	{"b + x @ transpose(W)", mustRules(ruleGemmTransB, ruleBiasRows, ruleLinear), []string{"linear(x·Wᵀ+b)"}, []string{"Repeat0", "gemm(A,Bᵀ)"},
		func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, *G.Node, []*G.Node) {
			x := fuseParam(g, dt, "x", 12, 4, 3)
			w := fuseParam(g, dt, "W", 13, 2, 3)
			b := fuseParam(g, dt, "b", 14, 2)
			y := G.Must(G.BroadcastAdd(b, G.Must(G.Mul(x, G.Must(G.Transpose(w)))), []byte{0}, nil))
			return G.Must(G.Sum(G.Must(G.Square(y)))), y, []*G.Node{x, w, b}
		}},
}

// TestFuseRules runs each fuse rule on its pattern in float64 and
// float32 and checks that it fired and left the expected ops, that the
// output keeps its shape and every forward node its dtype, that loss,
// output and every gradient equal those of the unrewritten copy, and (in
// float64) that the rewritten gradients match central differences.
func TestFuseRules(t *testing.T) {
	for _, c := range fuseCases {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				g := G.NewGraph()
				loss, out, params := c.build(g, dt)
				plain, err := Compile(loss, params, WithPasses(false), WithOutputs(out))
				if err != nil {
					t.Fatal(err)
				}
				prog, err := Compile(loss, params, WithRules(c.rules...), WithOutputs(out))
				if err != nil {
					t.Fatal(err)
				}
				rep := prog.Passes()
				t.Logf("%s", rep.Text())
				if rule := c.rules[len(c.rules)-1]; rep.Count(rule.Name) == 0 {
					t.Fatalf("rule %q did not fire", rule.Name)
				}
				checkFusedGraph(t, prog, out, dt, c.want, c.gone)
				for _, p := range []*Program{plain, prog} {
					bindRaw(t, p, 5) // the same values in both
					if err := p.RunTrain(); err != nil {
						t.Fatal(err)
					}
				}
				tol := 1e-10
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				if !near(plain.Loss(), prog.Loss(), tol) {
					t.Errorf("loss: %v before the rewrite, %v after", plain.Loss(), prog.Loss())
				}
				compareValues(t, "output", plain.Output(0), prog.Output(0), tol)
				for i, prm := range prog.Params() {
					compareValues(t, "grad "+prm.Name, plain.Params()[i].Grad, prm.Grad, tol)
				}
				if dt == tensor.Float64 {
					checkAllNumericGrads(t, prog)
				}
			})
		}
	}
}

// checkFusedGraph checks the program's forward graph: the output's shape
// and dtype are the user's, every node has dtype dt, the ops in want are
// there and those in gone are not.
func checkFusedGraph(t *testing.T, p *Program, out *G.Node, dt tensor.Dtype, want, gone []string) {
	t.Helper()
	po, ok := p.ProgramNode(out)
	if !ok {
		t.Fatal("the output has no program node")
	}
	if !rewrite.SameShape(po, out) || po.Dtype() != out.Dtype() {
		t.Errorf("output %v %v after the passes, %v %v before", po.Shape(), po.Dtype(), out.Shape(), out.Dtype())
	}
	labels := map[string]bool{}
	for _, n := range topoOrder(G.Nodes{p.loss, po}) {
		labels[nodeLabel(n)] = true
		if n.Dtype() != dt {
			t.Errorf("node %d %s has dtype %v, want %v", n.ID(), nodeLabel(n), n.Dtype(), dt)
		}
	}
	for _, l := range want {
		if !labels[l] {
			t.Errorf("no %s in the program's forward graph", l)
		}
	}
	for _, l := range gone {
		if labels[l] {
			t.Errorf("%s is still in the program's forward graph", l)
		}
	}
}

// compareValues compares two float tensors element by element.
func compareValues(t *testing.T, what string, a, b G.Value, tol float64) {
	t.Helper()
	av, bv := floatdense.Float64s(a.Data()), floatdense.Float64s(b.Data())
	if len(av) != len(bv) || !a.Shape().Eq(b.Shape()) {
		t.Fatalf("%s: shapes %v before the rewrite, %v after", what, a.Shape(), b.Shape())
	}
	for i := range av {
		if !near(av[i], bv[i], tol) {
			t.Errorf("%s[%d]: %v before the rewrite, %v after", what, i, av[i], bv[i])
		}
	}
}

// checkAllNumericGrads compares the gradient of every float64 parameter
// with central differences of the loss.
func checkAllNumericGrads(t *testing.T, p *Program) {
	t.Helper()
	const eps = 1e-6
	for _, prm := range p.Params() {
		w, grad := prm.Value.Data().([]float64), append([]float64(nil), prm.Grad.Data().([]float64)...)
		for i := range w {
			orig := w[i]
			f := func(x float64) float64 {
				w[i] = x
				if err := p.RunLoss(Training); err != nil {
					t.Fatal(err)
				}
				return p.Loss()
			}
			num := (f(orig+eps) - f(orig-eps)) / (2 * eps)
			w[i] = orig
			if math.Abs(num-grad[i]) > 1e-5+1e-3*math.Abs(num) {
				t.Errorf("%s grad[%d] = %v, numeric %v", prm.Name, i, grad[i], num)
			}
		}
	}
}

// The whole default pipeline turns the README-style raw MLP into one
// linear op per layer, with the same loss and gradients as no passes.
func TestFuseRawMLP(t *testing.T) {
	for _, transposed := range []bool{true, false} {
		loss, params := rawMLP(t, []int{5, 4, 3, 2}, 6, tensor.Float64, transposed, 3)
		plain, err := Compile(loss, params, WithPasses(false))
		if err != nil {
			t.Fatal(err)
		}
		prog, err := Compile(loss, params)
		if err != nil {
			t.Fatal(err)
		}
		rep := prog.Passes()
		wantLinear := 0
		if transposed {
			wantLinear = 3
		}
		if got := rep.Count(ruleLinear); got != wantLinear {
			t.Errorf("transposed=%v: linear fired %d times, want %d:\n%s", transposed, got, wantLinear, rep.Text())
		}
		if got := rep.Count(ruleBiasRows); got != 3 {
			t.Errorf("transposed=%v: broadcastrows fired %d times, want 3", transposed, got)
		}
		if after := rep.AfterText(); strings.Contains(after, "Repeat") || strings.Contains(after, "Aᵀ{") {
			t.Errorf("transposed=%v: a broadcast or transpose is left:\n%s", transposed, after)
		}
		for _, p := range []*Program{plain, prog} {
			bindRaw(t, p, 4)
			if err := p.RunTrain(); err != nil {
				t.Fatal(err)
			}
		}
		if !near(plain.Loss(), prog.Loss(), 1e-12) {
			t.Errorf("transposed=%v: loss %v without passes, %v with", transposed, plain.Loss(), prog.Loss())
		}
		for i, prm := range prog.Params() {
			compareValues(t, prm.Name, plain.Params()[i].Grad, prm.Grad, 1e-10)
		}
	}
}

// A product that is not of two matrices is left alone.
func TestFuseLeavesMatVec(t *testing.T) {
	g := G.NewGraph()
	a := fuseParam(g, tensor.Float64, "A", 15, 3, 2)
	v := fuseParam(g, tensor.Float64, "v", 16, 3)
	loss := G.Must(G.Sum(G.Must(G.Mul(G.Must(G.Transpose(a)), v))))
	p, err := Compile(loss, []*G.Node{a, v})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Passes().Fired {
		if f.Phase == Fuse {
			t.Errorf("%s fired on a matrix-vector product", f.Rule)
		}
	}
}

// The fused ops are differentiated twice: H v of the raw MLP is the same
// with the fuse rules (linear, gemm, broadcastrows) as without passes.
func TestFuseHVP(t *testing.T) {
	var hv [2][][]float64
	for k, on := range []bool{true, false} {
		loss, params := rawMLP(t, []int{3, 4, 2}, 5, tensor.Float64, true, 6)
		if on { // the rules HVP runs include the fuse phase
			rw, err := rewriteGraph(G.Nodes{loss}, params, (&config{}).ruleSet(true))
			if err != nil || rw.report.Count(ruleLinear) != 2 {
				t.Fatalf("linear did not fire twice for second order (%v)", err)
			}
		}
		h, err := HVP(loss, params, WithPasses(on))
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(7, 7))
		for _, in := range []struct {
			name string
			cols int
		}{{"x", 3}, {"y", 2}} {
			if err := h.Bind(in.name, dense([]int{5, in.cols}, randVals(rng, 5*in.cols)...)); err != nil {
				t.Fatal(err)
			}
		}
		for i := range params {
			d := h.Direction(i).Data().([]float64)
			copy(d, randVals(rng, len(d)))
		}
		if err := h.Run(); err != nil {
			t.Fatal(err)
		}
		for i := range params {
			hv[k] = append(hv[k], append([]float64(nil), h.HV(i).Data().([]float64)...))
		}
	}
	for i := range hv[0] {
		for j := range hv[0][i] {
			if !near(hv[0][i][j], hv[1][i][j], 1e-10) {
				t.Errorf("param %d: (H v)[%d] = %v fused, %v without passes", i, j, hv[0][i][j], hv[1][i][j])
			}
		}
	}
}

// A scalar broadcast over both axes, repeat₁(repeat₀(reshape(s, 1×1))),
// is left alone: Gorgonia's gradient of the outer repeat has rank 1, which
// colsum would reject (found by gradcheck expr 'crossentropy(x * s, t)').
func TestFuseLeavesScalarBroadcast(t *testing.T) {
	g := G.NewGraph()
	x := fuseParam(g, tensor.Float64, "x", 17, 4, 3)
	s := G.Must(NewParam(g, "s", dense([]int{1, 1}, 0.7)))
	loss := G.Must(G.Sum(G.Must(G.Tanh(G.Must(G.BroadcastHadamardProd(x, s, nil, []byte{0, 1}))))))
	p, err := Compile(loss, []*G.Node{x, s})
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Passes().Count(ruleBiasRows); n != 0 {
		t.Errorf("broadcastrows fired %d times on a scalar broadcast:\n%s", n, p.Passes().Text())
	}
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
	checkAllNumericGrads(t, p)
}
