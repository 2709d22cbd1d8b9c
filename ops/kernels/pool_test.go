package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestWindowMaxMatchesArgmax checks the max-pool forward (windowMax, the
// value only) against the argmax's value (PoolGather with h = x) bit for
// bit, on windows full of signed zeros, ties and NaNs with distinct
// payloads, where a running maximum and "the first maximum by >, the last
// NaN" (PyTorch's rule) could differ.
func TestWindowMaxMatchesArgmax(t *testing.T) {
	nan64 := []float64{math.Float64frombits(0x7ff8000000000001), math.Float64frombits(0xfff8000000000002)}
	nan32 := []float32{math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc00002)}
	vals := []float64{math.Copysign(0, -1), 0, -1, 1, 2, math.Inf(-1), math.Inf(1)}
	for _, c := range []struct {
		name string
		geom Pool
	}{
		{"2x2 stride 2", newPool([]int{2, 3, 6, 6}, [2]int{2, 2}, [2]int{2, 2})},
		{"3x3 stride 1", newPool([]int{2, 3, 6, 6}, [2]int{3, 3}, [2]int{1, 1})},
		{"2x3 stride (1, 2)", newPool([]int{1, 2, 5, 7}, [2]int{2, 3}, [2]int{1, 2})},
	} {
		for seed := range uint64(20) {
			rng := rand.New(rand.NewPCG(seed, 7))
			g := c.geom
			n := g.N * g.C * g.H * g.W
			x64, x32 := make([]float64, n), make([]float32, n)
			for i := range x64 {
				switch r := rng.IntN(len(vals) + 3); {
				case r < len(vals):
					x64[i], x32[i] = vals[r], float32(vals[r])
				case r < len(vals)+1:
					k := rng.IntN(2)
					x64[i], x32[i] = nan64[k], nan32[k]
				default:
					x64[i] = rng.NormFloat64()
					x32[i] = float32(x64[i])
				}
			}
			if seed == 0 { // no NaN: the common path
				for i, v := range x64 {
					if v != v {
						x64[i], x32[i] = 0, 0
					}
				}
			}
			checkWindowMax(t, c.name, &g, x64)
			checkWindowMax(t, c.name, &g, x32)
		}
	}
}

func checkWindowMax[T float32 | float64](t *testing.T, name string, g *Pool, x []T) {
	t.Helper()
	m := g.N * g.C * g.OH * g.OW
	got, want := make([]T, m), make([]T, m)
	MaxPool(g, PoolMax, x, x, got)
	MaxPool(g, PoolGather, x, x, want)
	for i := range got {
		if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) || !sameBits(got[i], want[i]) {
			t.Fatalf("%s %T: output %d is %v, the argmax's value is %v", name, got[i], i, got[i], want[i])
		}
	}
}

// sameBits compares two floats' bit patterns in their own width.
func sameBits[T float32 | float64](a, b T) bool {
	switch a := any(a).(type) {
	case float32:
		return math.Float32bits(a) == math.Float32bits(any(b).(float32))
	case float64:
		return math.Float64bits(a) == math.Float64bits(any(b).(float64))
	}
	return false
}

func newPool(xs []int, kernel, stride [2]int) Pool {
	return Pool{N: xs[0], C: xs[1], H: xs[2], W: xs[3], KH: kernel[0], KW: kernel[1], SH: stride[0], SW: stride[1],
		OH: (xs[2]-kernel[0])/stride[0] + 1, OW: (xs[3]-kernel[1])/stride[1] + 1}
}

// naiveArgmax is the window's argmax by PyTorch's rule: the first maximum
// by >, or the last NaN.
func naiveArgmax(g *Pool, xp []float64, i, j int) int {
	best := -1
	for u := 0; u < g.KH; u++ {
		for v := 0; v < g.KW; v++ {
			k := (i*g.SH+u)*g.W + j*g.SW + v
			if best < 0 || xp[k] > xp[best] || xp[k] != xp[k] {
				best = k
			}
		}
	}
	return best
}

func TestMaxPoolMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, g := range []Pool{newPool([]int{2, 2, 6, 6}, [2]int{2, 2}, [2]int{2, 2}), newPool([]int{1, 3, 5, 7}, [2]int{3, 2}, [2]int{1, 2})} {
		hw, ohw := g.H*g.W, g.OH*g.OW
		x := randoms(rng, g.N*g.C*hw, -1, 1)
		x[3] = math.NaN()
		gy := randoms(rng, g.N*g.C*ohw, -1, 1)
		y, gath, dx := make([]float64, len(gy)), make([]float64, len(gy)), make([]float64, len(x))
		MaxPool(&g, PoolMax, x, x, y)
		MaxPool(&g, PoolGather, x, x, gath)
		MaxPool(&g, PoolScatter, x, gy, dx)
		wantDx := make([]float64, len(x))
		for nc := 0; nc < g.N*g.C; nc++ {
			for i := 0; i < g.OH; i++ {
				for j := 0; j < g.OW; j++ {
					a := nc*hw + naiveArgmax(&g, x[nc*hw:(nc+1)*hw], i, j)
					o := nc*ohw + i*g.OW + j
					if !sameBits(y[o], x[a]) || !sameBits(gath[o], x[a]) {
						t.Errorf("%+v: y[%d] = %v (gather %v), want %v", g, o, y[o], gath[o], x[a])
					}
					wantDx[a] += gy[o]
				}
			}
		}
		for i := range dx {
			if dx[i] != wantDx[i] {
				t.Errorf("%+v: dx[%d] = %v, want %v", g, i, dx[i], wantDx[i])
			}
		}
	}
}
