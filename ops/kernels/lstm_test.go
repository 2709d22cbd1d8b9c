package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveCell is the cell map k at one element: gates i, f, g, o, x the cell
// state (CellC, CellCGrad*) or t = tanh(c') (CellH, CellHGrad*), gv the
// upstream gradient; gate maps return the four gate gradients.
func naiveCell(k CellMap, i, f, g, o, x, gv float64) []float64 {
	switch k {
	case CellC:
		return []float64{f*x + i*g}
	case CellH:
		return []float64{o * x}
	case CellCGradA:
		return []float64{gv * g, gv * x, gv * i, 0}
	case CellCGradC:
		return []float64{gv * f}
	case CellHGradA:
		return []float64{0, 0, 0, gv * x}
	}
	return []float64{gv * o}
}

func TestLSTMCellMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const b, h = 3, 4
	act, x, g := randoms(rng, 4*b*h, 0, 1), randoms(rng, b*h, -1, 1), randoms(rng, b*h, -1, 1)
	for k := CellC; k <= CellHGradC; k++ {
		gates := k == CellCGradA || k == CellHGradA
		out := make([]float64, b*h*(1+3*btoi(gates)))
		var gr []float64
		if k >= CellCGradA {
			gr = g
		}
		LSTMCell(k, h, act, x, gr, out)
		for r := 0; r < b; r++ {
			for j := 0; j < h; j++ {
				a := act[4*r*h:]
				want := naiveCell(k, a[j], a[h+j], a[2*h+j], a[3*h+j], x[r*h+j], g[r*h+j])
				for q, w := range want {
					at := r*h + j
					if gates {
						at = 4*r*h + q*h + j
					}
					if out[at] != w {
						t.Errorf("map %d row %d col %d part %d: %v, want %v", k, r, j, q, out[at], w)
					}
				}
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestLSTMGatesMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const b, h = 2, 3
	x, g := randoms(rng, 4*b*h, -3, 3), randoms(rng, 4*b*h, -1, 1)
	y, dy := make([]float64, len(x)), make([]float64, len(x))
	LSTMGates(h, false, x, nil, y)
	LSTMGates(h, false, y, g, dy)
	for e, v := range x {
		tanh := (e%(4*h))/h == 2
		want, dwant := 1/(1+math.Exp(-v)), 0.0
		if tanh {
			want = math.Tanh(v)
			dwant = g[e] * (1 - y[e]*y[e])
		} else {
			dwant = g[e] * y[e] * (1 - y[e])
		}
		if math.Abs(y[e]-want) > 1e-15 {
			t.Errorf("gate %d: %v, want %v", e, y[e], want)
		}
		if dy[e] != dwant {
			t.Errorf("gate gradient %d: %v, want %v", e, dy[e], dwant)
		}
	}
	all := make([]float64, len(x))
	LSTMGates(len(x), true, x, nil, all)
	for e, v := range x {
		if all[e] != math.Tanh(v) {
			t.Errorf("all-tanh %d: %v, want %v", e, all[e], math.Tanh(v))
		}
	}
}

func TestSigmoidIsStable(t *testing.T) {
	for _, c := range []struct{ x, want float64 }{{0, 0.5}, {-800, 0}, {800, 1}, {2, 1 / (1 + math.Exp(-2))}} {
		if got := Sigmoid(c.x); got != c.want {
			t.Errorf("σ(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

// SigmoidInto is Sigmoid within 3 ulp, for both dtypes, in place and not,
// over more than one chunk.
func TestSigmoidInto(t *testing.T) {
	x := make([]float64, 3*sigmoidChunk+5)
	for i := range x {
		x[i] = float64(i-len(x)/2) / 20
	}
	y := make([]float64, len(x))
	SigmoidInto(y, x)
	x32 := make([]float32, len(x))
	for i, v := range x {
		x32[i] = float32(v)
	}
	SigmoidInto(x32, x32)
	for i, v := range x {
		want := Sigmoid(v)
		if d := math.Abs(y[i]-want) / want; d > 3*0x1p-52 {
			t.Errorf("σ(%v) = %v, want %v", v, y[i], want)
		}
		if w32 := float32(Sigmoid(float64(float32(v)))); math.Abs(float64(x32[i]-w32)) > float64(w32)*0x1p-22 {
			t.Errorf("float32 σ(%v) = %v, want %v", v, x32[i], w32)
		}
	}
}

func TestSigmoidIntoAllocatesNothing(t *testing.T) {
	x, x32 := make([]float64, 300), make([]float32, 300)
	if n := testing.AllocsPerRun(10, func() { SigmoidInto(x, x); SigmoidInto(x32, x32) }); n != 0 {
		t.Errorf("%v allocations per call, want 0", n)
	}
}
