package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestWindowMaxMatchesArgmax checks the max-pool forward (windowMax, the
// value only) against the argmax's value (poolGather with h = x) bit for
// bit, on windows full of signed zeros, ties and NaNs with distinct
// payloads, where a running maximum and "the first maximum by >, the last
// NaN" (PyTorch's rule) could differ.
func TestWindowMaxMatchesArgmax(t *testing.T) {
	nan64 := []float64{math.Float64frombits(0x7ff8000000000001), math.Float64frombits(0xfff8000000000002)}
	nan32 := []float32{math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc00002)}
	vals := []float64{math.Copysign(0, -1), 0, -1, 1, 2, math.Inf(-1), math.Inf(1)}
	for _, c := range []struct {
		name string
		geom poolGeom
	}{
		{"2x2 stride 2", newPoolGeom([]int{2, 3, 6, 6}, [2]int{2, 2}, [2]int{2, 2})},
		{"3x3 stride 1", newPoolGeom([]int{2, 3, 6, 6}, [2]int{3, 3}, [2]int{1, 1})},
		{"2x3 stride (1, 2)", newPoolGeom([]int{1, 2, 5, 7}, [2]int{2, 3}, [2]int{1, 2})},
	} {
		for seed := range uint64(20) {
			rng := rand.New(rand.NewPCG(seed, 7))
			g := c.geom
			n := g.n * g.c * g.h * g.w
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

func checkWindowMax[T float32 | float64](t *testing.T, name string, g *poolGeom, x []T) {
	t.Helper()
	m := g.n * g.c * g.oh * g.ow
	got, want := make([]T, m), make([]T, m)
	poolKernel(g, poolMax, x, x, got)
	poolKernel(g, poolGather, x, x, want)
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
