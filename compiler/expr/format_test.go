package expr

import (
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestFormatRoundTrip builds forward expressions and formats them back:
// the text is the canonical form of the source.
func TestFormatRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	in := map[string]*tensor.Dense{
		"x": randDense(rng, 0.5, 2, 4, 3), "W": randDense(rng, -1, 1, 3, 2),
		"b": randDense(rng, -1, 1, 2), "v": randDense(rng, -1, 1, 3), "u": randDense(rng, -1, 1, 3),
		"y": randDense(rng, 0.5, 2, 4, 3),
	}
	cases := []string{
		"x + y",
		"x - y*x",
		"(x - y)/y",
		"x^3 + x^2",
		"-x^0.5",
		"2*x - 1",
		"x @ W + b",
		"x @ (W + 1)",
		"(x + v)*y",
		"u @ v",
		"x @ v",
		"v @ W",
		"v @ transpose(x^2)",
		"relu(x @ W + b)",
		"tanh(x)*sigmoid(y)",
		"exp(-x) + log(y)",
		"sum(x, 0) + v",
		"transpose(x) @ y",
	}
	for _, src := range cases {
		t.Run(src, func(t *testing.T) {
			f := newFixture(t, src, in, nil)
			want := MustParse(src).String()
			if got := Format(f.out); got != want {
				t.Fatalf("Format = %q, want %q", got, want)
			}
		})
	}
}

// TestFormatGradient checks gradient subgraphs written as expressions.
func TestFormatGradient(t *testing.T) {
	cases := []struct {
		src  string
		in   map[string]*tensor.Dense
		wrt  string
		want []string // accepted answers
	}{
		{"x^3", map[string]*tensor.Dense{"x": vec(1, 2, 3, 4, 5)}, "x", []string{"3*x^2"}},
		{"x^2", map[string]*tensor.Dense{"x": vec(1, 2, 3, 4, 5)}, "x", []string{"2*x"}},
		{"x", map[string]*tensor.Dense{"x": vec(1, 2, 3)}, "x", []string{"1"}},
		{"3*x", map[string]*tensor.Dense{"x": vec(1, 2, 3)}, "x", []string{"3"}},
		{"tanh(x)", map[string]*tensor.Dense{"x": vec(1, 2, 3)}, "x", []string{"1 - tanh(x)^2", "tanh'(x)"}},
		{"x*y", map[string]*tensor.Dense{"x": vec(1, 2), "y": vec(3, 4)}, "x", []string{"y"}},
		{"x - y", map[string]*tensor.Dense{"x": vec(1, 2), "y": vec(3, 4)}, "y", []string{"-1"}},
		{"x @ W", map[string]*tensor.Dense{"x": mat(2, 3, 1, 2, 3, 4, 5, 6), "W": mat(3, 2, 1, 2, 3, 4, 5, 6)}, "W",
			[]string{"transpose(x) @ 1"}},
		{"(A + b)*C", map[string]*tensor.Dense{"A": mat(2, 2, 1, 2, 3, 4), "b": vec(1, 2), "C": mat(2, 2, 1, 2, 3, 4)}, "b",
			[]string{"sum(C, 0)"}},
	}
	for _, c := range cases {
		t.Run(c.src+" d/d"+c.wrt, func(t *testing.T) {
			f := newFixture(t, c.src, c.in, nil)
			grads, err := G.Grad(f.loss(t), f.vars[c.wrt])
			if err != nil {
				t.Fatal(err)
			}
			got := Format(grads[0])
			for _, w := range c.want {
				if got == w {
					return
				}
			}
			t.Fatalf("Format(d sum(%s) / d%s) = %q, want one of %q", c.src, c.wrt, got, c.want)
		})
	}
}

// TestFormatShared checks that a huge expansion is written with names.
func TestFormatShared(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("x"))
	n := x
	for range 40 { // 2^40 terms when written out
		n = G.Must(G.HadamardProd(G.Must(G.Tanh(n)), G.Must(G.Sigmoid(n))))
	}
	s := Format(n)
	if !strings.HasPrefix(s, "tanh(t39)*sigmoid(t39)\nwhere\n  t1 = tanh(x)*sigmoid(x)\n  t2 = tanh(t1)*sigmoid(t1)\n") || len(s) > 5000 {
		t.Fatalf("Format = %.300q (%d bytes)", s, len(s))
	}
}
