package vmath

import (
	"math"
	"testing"
)

// TestTanhMatchesMathTanh sweeps [-50, 50] in steps of 1e-4 and the
// special values: below |x| = 0.625 and above 44 Tanh is math.Tanh bit
// for bit, between them within 3 ulp (the sweep's worst is 2); in place
// it gives the same bits.
func TestTanhMatchesMathTanh(t *testing.T) {
	var xs []float64
	for i := -500000; i <= 500000; i++ {
		xs = append(xs, float64(i)/1e4)
	}
	xs = append(xs, 0, math.Copysign(0, -1), 1e-300, -1e-300, 5e-324, tanhSmall, -tanhSmall, math.Nextafter(tanhSmall, 0),
		tanhMax, math.Nextafter(tanhMax, 100), -tanhMax, 1e300, math.Inf(1), math.Inf(-1), math.NaN())
	got := make([]float64, len(xs))
	Tanh(got, xs)
	worst, at := 0.0, 0.0
	for i, x := range xs {
		want := math.Tanh(x)
		u := ulps(got[i], want)
		if z := math.Abs(x); (z < tanhSmall || z > tanhMax) && math.Float64bits(got[i]) != math.Float64bits(want) && !math.IsNaN(x) {
			t.Errorf("tanh(%v) = %v, want math.Tanh's %v bit for bit", x, got[i], want)
		}
		if u > worst {
			worst, at = u, x
		}
	}
	if worst > 3 {
		t.Errorf("tanh(%v) is %v ulp from math.Tanh, want at most 3", at, worst)
	}
	t.Logf("at most %v ulp from math.Tanh (at %v)", worst, at)
	Tanh(xs, xs)
	for i := range xs {
		if math.Float64bits(xs[i]) != math.Float64bits(got[i]) {
			t.Fatalf("in place, element %d: %v, want %v", i, xs[i], got[i])
		}
	}
}

func TestTanhAllocatesNothing(t *testing.T) {
	x := make([]float64, 1000)
	if n := testing.AllocsPerRun(10, func() { Tanh(x, x) }); n != 0 {
		t.Errorf("%v allocations per call, want 0", n)
	}
}

func BenchmarkTanh(b *testing.B) { benchElementwise(b, Tanh, math.Tanh) }
