package expr

import (
	"strings"
	"testing"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
)

// TestRepeatedSumIsLinear: a sum of n copies of one term is built as
// n * term, so 40,000 copies build, compile and run in well under a second
// (they took 27 s, quadratic in n) with the exact value and gradient;
// shorter or mixed chains keep their additions. (A mixed chain of 20,000
// additions still takes ~25 s: Gorgonia scans its node list for every
// node it inserts, ExprGraph.node, so any graph of n nodes costs O(n^2).)
func TestRepeatedSumIsLinear(t *testing.T) {
	cases := []struct {
		src   string
		value float64 // at x = 1.5
		grad  float64
		adds  int // Add nodes in the built graph
	}{
		{"sum(" + strings.Repeat("x+", 39999) + "x)", 60000, 40000, 0},
		{"sum(" + strings.Repeat("x+", 15) + "x)", 24, 16, 0},
		{"sum(" + strings.Repeat("x+", 14) + "x)", 22.5, 15, 14},
		{"sum(" + strings.Repeat("x+", 20) + "2*x)", 33, 22, 20},
		{"sum(" + strings.Repeat("(x*x)+", 19) + "x*x)", 45, 60, 0},
	}
	for _, c := range cases {
		start := time.Now()
		e, err := Parse(c.src)
		if err != nil {
			t.Fatal(err)
		}
		g := G.NewGraph()
		x, err := compiler.NewParam(g, "x", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1.5})))
		if err != nil {
			t.Fatal(err)
		}
		out, err := Build(g, e, map[string]*G.Node{"x": x})
		if err != nil {
			t.Fatal(err)
		}
		adds := 0
		for _, n := range g.AllNodes() {
			if n.Op() != nil && strings.HasPrefix(n.Op().String(), "+") {
				adds++
			}
		}
		p, err := compiler.Compile(out, []*G.Node{x})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.RunTrain(); err != nil {
			t.Fatal(err)
		}
		name := c.src[:min(len(c.src), 30)]
		if got := p.Loss(); got != c.value {
			t.Errorf("%s...: value %v, want %v", name, got, c.value)
		}
		if got := p.Params()[0].Grad.Float64s()[0]; got != c.grad {
			t.Errorf("%s...: gradient %v, want %v", name, got, c.grad)
		}
		if adds != c.adds {
			t.Errorf("%s...: %d additions, want %d", name, adds, c.adds)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s...: took %v", name, d)
		}
		_ = p.Close()
	}
}
