package compiler

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func dense(shape []int, data ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

func seq(n int, scale float64) []float64 {
	d := make([]float64, n)
	for i := range d {
		d[i] = scale * float64(i+1)
	}
	return d
}

// tinyNet builds loss = mean((x W^T + b - y)^2) with x [2,3], W [2,3], b [2].
type tinyNet struct {
	g          *G.ExprGraph
	x, y, w, b *G.Node
	pred, loss *G.Node
}

func newTinyNet(t *testing.T) *tinyNet {
	t.Helper()
	n := &tinyNet{g: G.NewGraph()}
	must := func(node *G.Node, err error) *G.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return node
	}
	n.x = must(NewInput(n.g, "x", tensor.Float64, 2, 3))
	n.y = must(NewInput(n.g, "y", tensor.Float64, 2, 2))
	n.w = must(NewParam(n.g, "w", dense([]int{2, 3}, 0.1, -0.2, 0.3, 0.4, 0.5, -0.6)))
	n.b = must(NewParam(n.g, "b", dense([]int{2}, 0.01, -0.02)))
	wt := must(G.Transpose(n.w))
	xw := must(G.Mul(n.x, wt))
	n.pred = must(G.BroadcastAdd(xw, n.b, nil, []byte{0}))
	diff := must(G.Sub(n.pred, n.y))
	n.loss = must(G.Mean(must(G.Square(diff))))
	return n
}

func (n *tinyNet) compile(t *testing.T, opts ...Option) *Program {
	t.Helper()
	p, err := Compile(n.loss, []*G.Node{n.w, n.b}, append([]Option{WithOutputs(n.pred)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	bind(t, p, "x", dense([]int{2, 3}, 1, 2, 3, -1, 0.5, 2))
	bind(t, p, "y", dense([]int{2, 2}, 0.5, -1, 2, 0))
	return p
}

func bind(t *testing.T, p *Program, name string, v *tensor.Dense) {
	t.Helper()
	if err := p.Bind(name, v); err != nil {
		t.Fatal(err)
	}
}

func TestCompileRejects(t *testing.T) {
	cases := []struct {
		name  string
		build func(t *testing.T) (*G.Node, []*G.Node)
		want  []string
	}{
		{"unused param", func(t *testing.T) (*G.Node, []*G.Node) {
			n := newTinyNet(t)
			unused, _ := NewParam(n.g, "fc9.weight", dense([]int{2}, 1, 2))
			return n.loss, []*G.Node{n.w, unused}
		}, []string{`"fc9.weight"`, "unused"}},
		{"non-scalar loss", func(t *testing.T) (*G.Node, []*G.Node) {
			n := newTinyNet(t)
			return n.pred, []*G.Node{n.w}
		}, []string{"must be a scalar", "(2, 2)"}},
		{"param not a leaf", func(t *testing.T) (*G.Node, []*G.Node) {
			n := newTinyNet(t)
			return n.loss, []*G.Node{n.pred}
		}, []string{"not a leaf"}},
		{"param listed twice", func(t *testing.T) (*G.Node, []*G.Node) {
			n := newTinyNet(t)
			return n.loss, []*G.Node{n.w, n.w}
		}, []string{`"w"`, "twice"}},
		{"no params", func(t *testing.T) (*G.Node, []*G.Node) {
			return newTinyNet(t).loss, nil
		}, []string{"no parameters"}},
		{"nil loss", func(t *testing.T) (*G.Node, []*G.Node) { return nil, nil }, []string{"loss is nil"}},
		{"param of another graph", func(t *testing.T) (*G.Node, []*G.Node) {
			other, _ := NewParam(G.NewGraph(), "w", dense([]int{1}, 1))
			return newTinyNet(t).loss, []*G.Node{other}
		}, []string{`"w"`, "not in the loss's graph"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loss, params := c.build(t)
			p, err := Compile(loss, params)
			if err == nil {
				t.Fatalf("Compile succeeded (%v), want an error", p)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// Compile differentiates a copy, so one graph compiles any number of
// times, and the programs agree.
func TestCompileTwiceGivesEqualPrograms(t *testing.T) {
	n := newTinyNet(t)
	nodesBefore := len(n.g.AllNodes())
	p, q := n.compile(t), n.compile(t)
	if got := len(n.g.AllNodes()); got != nodesBefore {
		t.Errorf("compiling added %d nodes to the user's graph", got-nodesBefore)
	}
	if n.loss.Deriv() != nil || n.w.Deriv() != nil {
		t.Error("the user's graph was differentiated in place")
	}
	for _, prog := range []*Program{p, q} {
		if err := prog.RunTrain(); err != nil {
			t.Fatal(err)
		}
	}
	if p.Loss() != q.Loss() || p.Loss() == 0 {
		t.Errorf("losses %v and %v, want equal and nonzero", p.Loss(), q.Loss())
	}
	assertSameGrads(t, p, q, "twin")
	if p.Params()[0].Node != n.w || p.Params()[0].Value != n.w.Value() {
		t.Error("Params()[0] is not the user's node w with its tensor")
	}
	if g, err := p.Grad(n.w); err != nil || g != p.Params()[0].Grad {
		t.Errorf("Grad(user's w): %v, %v", g, err)
	}
	if p.Outputs()[0] != n.pred || p.LossNode() != n.loss {
		t.Error("Outputs/LossNode are not the user's nodes")
	}
}

func TestBindRejects(t *testing.T) {
	p := newTinyNet(t).compile(t)
	cases := []struct {
		name, input string
		v           *tensor.Dense
		want        []string
	}{
		{"wrong shape", "x", dense([]int{3, 2}, seq(6, 1)...), []string{`"x"`, "(3, 2)", "(2, 3)"}},
		{"wrong dtype", "x", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float32, 6))), []string{`"x"`, "float32", "float64"}},
		{"unknown input", "z", dense([]int{2, 3}, seq(6, 1)...), []string{`"z"`, "inputs: x, y"}},
		{"NaN input", "y", dense([]int{2, 2}, 1, 2, math.NaN(), 4), []string{`"y"`, "[1 0]", "NaN"}},
		{"Inf input", "x", dense([]int{2, 3}, 1, 2, 3, 4, math.Inf(-1), 6), []string{`"x"`, "[1 1]", "-Inf"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := p.Bind(c.input, c.v)
			if err == nil {
				t.Fatal("Bind succeeded, want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestNaNGuardNamesTheFirstBadNode(t *testing.T) {
	forEachRunner(t, testNaNGuard)
}

func testNaNGuard(t *testing.T, opts ...Option) {
	g := G.NewGraph()
	x, _ := NewInput(g, "x", tensor.Float64, 3)
	w, _ := NewParam(g, "w", dense([]int{3}, 1, 1, 1))
	xw := G.Must(G.HadamardProd(x, w))
	lg := G.Must(G.Log(xw)) // log of a negative element: NaN
	loss := G.Must(G.Sum(lg))
	p, err := Compile(loss, []*G.Node{w}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	bind(t, p, "x", dense([]int{3}, 1, -2, 3))
	err = p.RunTrain()
	nf, ok := err.(*NonFiniteError)
	if !ok {
		t.Fatalf("RunTrain: got %v (%T), want a *NonFiniteError", err, err)
	}
	if nf.Node != lg || nf.What != "NaN" || nf.At[0] != 1 || nf.Gradient {
		t.Errorf("culprit: got node %v %s at %v (gradient %v), want the log node, NaN at [1]", nf.Node, nf.What, nf.At, nf.Gradient)
	}
	if !strings.Contains(err.Error(), "op ln") {
		t.Errorf("error %q does not name the log op", err)
	}

	// With the guard off, the same run succeeds and the loss is NaN.
	g2 := G.NewGraph()
	x2, _ := NewInput(g2, "x", tensor.Float64, 3)
	w2, _ := NewParam(g2, "w", dense([]int{3}, 1, 1, 1))
	loss2 := G.Must(G.Sum(G.Must(G.Log(G.Must(G.HadamardProd(x2, w2))))))
	p2, _ := Compile(loss2, []*G.Node{w2}, append(opts, WithNaNGuard(false))...)
	bind(t, p2, "x", dense([]int{3}, 1, -2, 3))
	if err := p2.RunTrain(); err != nil || !math.IsNaN(p2.Loss()) {
		t.Errorf("guard off: got err %v, loss %v; want no error and a NaN loss", err, p2.Loss())
	}
}

// assertSameGrads fails t unless every param of p has the float64
// gradient of q's param at the same place, element for element; what
// names q in the message.
func assertSameGrads(t *testing.T, p, q *Program, what string) {
	t.Helper()
	for i := range p.Params() {
		a, b := p.Params()[i].Grad.Data().([]float64), q.Params()[i].Grad.Data().([]float64)
		for j := range a {
			if a[j] != b[j] {
				t.Errorf("grad %s[%d]: %v, %s: %v", p.Params()[i].Name, j, a[j], what, b[j])
			}
		}
	}
}
