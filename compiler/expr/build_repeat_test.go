package expr

import (
	"fmt"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
)

// TestLongSums builds long chains of additions as written (the
// floating-point sum PyTorch computes), each addition its own node, with
// the exact value and gradient at x = 1.5 (every partial sum is exact).
// Building is linear in the chain's length (BenchmarkLongSum): the
// builder does not recurse down the chain, each node is built in
// isolation, and the graph's ID cache is filled ahead.
func TestLongSums(t *testing.T) {
	cases := []struct {
		src   string
		value float64 // at x = 1.5
		grad  float64
		adds  int // Add nodes in the built graph
	}{
		{"sum(" + strings.Repeat("x+", 3999) + "x)", 6000, 4000, 3999},
		{"sum(" + strings.Repeat("x+", 15) + "x)", 24, 16, 15},
		{"sum(" + strings.Repeat("x+", 20) + "2*x)", 33, 22, 20},
		{"sum(" + strings.Repeat("(x*x)+", 19) + "x*x)", 45, 60, 19},
	}
	for _, c := range cases {
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
		_ = p.Close()
	}
}

// BenchmarkLongSum builds and compiles sum(x+x+...+x) of n terms: the time
// per term stays flat as n grows (it grew linearly, O(n^2) in all).
func BenchmarkLongSum(b *testing.B) {
	for _, n := range []int{1000, 4000, 16000} {
		src := "sum(" + strings.Repeat("x+", n-1) + "x)"
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for range b.N {
				e, err := Parse(src)
				if err != nil {
					b.Fatal(err)
				}
				g := G.NewGraph()
				x, _ := compiler.NewParam(g, "x", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1.5})))
				out, err := Build(g, e, map[string]*G.Node{"x": x})
				if err != nil {
					b.Fatal(err)
				}
				p, err := compiler.Compile(out, []*G.Node{x})
				if err != nil {
					b.Fatal(err)
				}
				_ = p.Close()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/term")
		})
	}
}
