package ops_test

import (
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// PyTorch's amax (and max()) backward splits the gradient evenly between
// tied maxima; Gorgonia's Max gives each of them the whole gradient.
func TestMaxTiesShareTheGradient(t *testing.T) {
	cases := []struct {
		name  string
		shape []int
		x     []float64
		axes  []int
		want  []float64 // d sum(max(x, axes)) / dx
		value []float64
	}{
		{"all, two ties", []int{4}, []float64{1, 3, 3, -2}, nil, []float64{0, 0.5, 0.5, 0}, []float64{3}},
		{"rows", []int{2, 3}, []float64{5, 5, 5, 1, 2, 0}, []int{1}, []float64{1. / 3, 1. / 3, 1. / 3, 0, 1, 0}, []float64{5, 2}},
		{"columns", []int{2, 3}, []float64{1, 7, 0, 1, 2, 4}, []int{0}, []float64{0.5, 1, 0, 0.5, 0, 1}, []float64{1, 7, 4}},
		{"negative axis", []int{2, 2}, []float64{-1, -1, 3, 2}, []int{-1}, []float64{0.5, 0.5, 1, 0}, []float64{-1, 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := G.NewGraph()
			x := paramOf(g, "x", c.x, c.shape...)
			m, err := ops.MaxAlong(x, c.axes...)
			if err != nil {
				t.Fatal(err)
			}
			loss, err := ops.SumAlong(m)
			if err != nil {
				t.Fatal(err)
			}
			p := trained(t, loss, []*G.Node{x}, compiler.WithOutputs(m))
			got := p.Params()[0].Grad.Data().([]float64)
			for i := range c.want {
				if got[i] != c.want[i] {
					t.Fatalf("gradient %v, want %v", got, c.want)
				}
			}
			var vals []float64
			switch v := p.Output(0).Data().(type) {
			case []float64:
				vals = v
			case float64:
				vals = []float64{v}
			}
			for i := range c.value {
				if vals[i] != c.value[i] {
					t.Fatalf("max %v, want %v", vals, c.value)
				}
			}
		})
	}
}
