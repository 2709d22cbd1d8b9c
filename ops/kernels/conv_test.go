package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/symgrad/symgrad/internal/floatdense"
)

// naiveIm2Col is col[(c·kH + u)·kW + v][i·oW + j] = xpad[c, i·sH + u, j·sW + v],
// written out element by element.
func naiveIm2Col(g Conv, x []float64) []float64 {
	p := g.OH * g.OW
	col := make([]float64, g.C*g.KH*g.KW*p)
	for c := 0; c < g.C; c++ {
		for u := 0; u < g.KH; u++ {
			for v := 0; v < g.KW; v++ {
				row := (c*g.KH+u)*g.KW + v
				for i := 0; i < g.OH; i++ {
					for j := 0; j < g.OW; j++ {
						r, s := i*g.SH+u-g.PH, j*g.SW+v-g.PW
						if r >= 0 && r < g.H && s >= 0 && s < g.W {
							col[row*p+i*g.OW+j] = x[(c*g.H+r)*g.W+s]
						}
					}
				}
			}
		}
	}
	return col
}

func convGeoms() []Conv {
	var out []Conv
	for _, g := range []Conv{
		{C: 2, H: 5, W: 6, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1},
		{C: 1, H: 7, W: 5, KH: 2, KW: 3, SH: 2, SW: 1, PH: 0, PW: 2},
		{C: 3, H: 6, W: 6, KH: 3, KW: 2, SH: 2, SW: 3, PH: 2, PW: 1},
	} {
		g.OH = (g.H+2*g.PH-g.KH)/g.SH + 1
		g.OW = (g.W+2*g.PW-g.KW)/g.SW + 1
		out = append(out, g)
	}
	return out
}

func TestIm2ColMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, g := range convGeoms() {
		x := randoms(rng, g.C*g.H*g.W, -1, 1)
		want := naiveIm2Col(g, x)
		got := make([]float64, len(want))
		for i := range got {
			got[i] = 99 // Im2Col writes every element, padding included
		}
		Im2Col(&g, got, x)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%+v: col[%d] = %v, want %v", g, i, got[i], want[i])
			}
		}
		got32 := make([]float32, len(want))
		Im2Col(&g, got32, floatdense.Float32s(x))
		for i := range want {
			if got32[i] != float32(want[i]) {
				t.Fatalf("%+v float32: col[%d] = %v, want %v", g, i, got32[i], want[i])
			}
		}
	}
}

// Col2Im is Im2Col's adjoint: <Im2Col(x), c> = <x, Col2Im(c)>, and on
// integers (exact sums) Col2Im equals the naive scatter of the naive
// Im2Col's positions.
func TestCol2ImIsTheAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, g := range convGeoms() {
		n := g.C * g.H * g.W
		c := make([]float64, g.C*g.KH*g.KW*g.OH*g.OW)
		for i := range c {
			c[i] = float64(rng.IntN(9) - 4)
		}
		got := make([]float64, n)
		Col2Im(&g, got, c)
		// The naive adjoint: column entry k of the unit vector e_i's Im2Col is
		// 1 where position i was read.
		for i := 0; i < n; i++ {
			e := make([]float64, n)
			e[i] = 1
			want := 0.0
			for k, v := range naiveIm2Col(g, e) {
				want += v * c[k]
			}
			if got[i] != want {
				t.Fatalf("%+v: x[%d] = %v, want %v", g, i, got[i], want)
			}
		}
	}
}
