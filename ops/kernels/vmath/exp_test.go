package vmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps is |a - b| in units of the last place of b (0 when both are equal,
// including two NaNs and equal infinities).
func ulps(a, b float64) float64 {
	if a == b || (math.IsNaN(a) && math.IsNaN(b)) {
		return 0
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) || math.IsNaN(a) || math.IsNaN(b) {
		return math.Inf(1)
	}
	return math.Abs(a-b) / math.Abs(math.Nextafter(b, math.Inf(1))-b)
}

// TestExpWithin2ULP sweeps the polynomial's range in steps of 1e-4 and
// its edges.
func TestExpWithin2ULP(t *testing.T) {
	worst, at := 0.0, 0.0
	check := func(x float64) {
		if u := ulps(expOne(x), math.Exp(x)); u > worst {
			worst, at = u, x
		}
	}
	for i := -7080000; i <= 7090000; i++ {
		check(float64(i) / 1e4)
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 1e-17, -1e-17, 0.5 * math.Ln2, -0.5 * math.Ln2, minPoly, maxPoly} {
		check(x)
	}
	if worst > 2 {
		t.Fatalf("e^%v is %v ulp from math.Exp, want at most 2", at, worst)
	}
}

// TestExpOutsideTheRange: math.Exp's answers where the polynomial does not
// apply.
func TestExpOutsideTheRange(t *testing.T) {
	xs := []float64{-708.0001, -745, -746, -1e308, 709.0001, 709.78, 710, 1e308, math.Inf(1), math.Inf(-1), math.NaN()}
	got := make([]float64, len(xs))
	Exp(got, xs)
	for i, x := range xs {
		if ulps(got[i], math.Exp(x)) != 0 {
			t.Errorf("e^%v = %v, want %v", x, got[i], math.Exp(x))
		}
	}
}

// TestExpKernelIsExpPoly: the assembly (where the CPU has it) gives the
// one-at-a-time code's bits, for every length (blocks of 16 and tails),
// in place and not, and one element out of range sends the whole slice to
// the one-at-a-time path.
func TestExpKernelIsExpPoly(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 70; n++ {
		x := make([]float64, n)
		for i := range x {
			x[i] = (rng.Float64()*2 - 1) * 700
			if i%7 == 3 {
				x[i] = rng.NormFloat64()
			}
		}
		got := sameBits(t, "exp", Exp, expPoly, x)
		if n > 20 {
			x[n/2] = 800
			Exp(got, x)
			if !math.IsInf(got[n/2], 1) || got[0] != expPoly(x[0]) {
				t.Fatalf("n=%d with one overflow: %v, %v", n, got[n/2], got[0])
			}
		}
	}
}

// TestSigmoidKernelIsSigmoidPoly: the assembly (where the CPU has it)
// gives the one-at-a-time code's bits for every length, in place and not,
// negative zero included.
func TestSigmoidKernelIsSigmoidPoly(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 40; n++ {
		x := make([]float64, n)
		for i := range x {
			x[i] = (rng.Float64()*2 - 1) * 700
			switch i % 5 {
			case 1:
				x[i] = rng.NormFloat64()
			case 3:
				x[i] = math.Copysign(0, -1)
			}
		}
		sameBits(t, "sigmoid", Sigmoid, sigmoidPoly, x)
	}
}

// sameBits checks f(x), out of place and in place, against ref one element
// at a time, bit for bit; it returns the out-of-place result.
func sameBits(t *testing.T, name string, f func(dst, x []float64), ref func(float64) float64, x []float64) []float64 {
	t.Helper()
	got := make([]float64, len(x))
	f(got, x)
	inPlace := append([]float64(nil), x...)
	f(inPlace, inPlace)
	for i, v := range x {
		want := ref(v)
		if math.Float64bits(got[i]) != math.Float64bits(want) || math.Float64bits(inPlace[i]) != math.Float64bits(want) {
			t.Fatalf("n=%d: %s(%v) = %v (in place %v), want %v bit for bit", len(x), name, v, got[i], inPlace[i], want)
		}
	}
	return got
}

func TestExpShortDstPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a dst shorter than x did not panic")
		}
	}()
	Exp(make([]float64, 2), make([]float64, 3))
}

func TestSigmoid(t *testing.T) {
	ref := func(x float64) float64 {
		if x >= 0 {
			return 1 / (1 + math.Exp(-x))
		}
		e := math.Exp(x)
		return e / (1 + e)
	}
	var xs []float64
	for i := -8000; i <= 8000; i++ {
		xs = append(xs, float64(i)/100)
	}
	xs = append(xs, -745, -800, 800, math.Inf(1), math.Inf(-1), math.NaN(), 0, math.Copysign(0, -1), 1e-300)
	got := make([]float64, len(xs))
	Sigmoid(got, xs)
	for i, x := range xs {
		if u := ulps(got[i], ref(x)); u > 3 {
			t.Errorf("sigmoid(%v) = %v, %v ulp from %v", x, got[i], u, ref(x))
		}
	}
	Sigmoid(xs, xs) // in place
	for i := range xs {
		if math.Float64bits(xs[i]) != math.Float64bits(got[i]) {
			t.Fatalf("in place, element %d: %v, want %v", i, xs[i], got[i])
		}
	}
}

func TestExpAllocatesNothing(t *testing.T) {
	x := make([]float64, 1000)
	if n := testing.AllocsPerRun(10, func() { Exp(x, x); Sigmoid(x, x) }); n != 0 {
		t.Errorf("%v allocations per call, want 0", n)
	}
}

func BenchmarkExp(b *testing.B)     { benchElementwise(b, Exp, math.Exp) }
func BenchmarkSigmoid(b *testing.B) { benchElementwise(b, Sigmoid, sigmoidOne) }

// benchElementwise times f over 1024 inputs in [-5, 5.24) against ref
// one element at a time, reporting ns per element.
func benchElementwise(b *testing.B, f func(dst, x []float64), ref func(float64) float64) {
	x, dst := make([]float64, 1024), make([]float64, 1024)
	for i := range x {
		x[i] = float64(i)/100 - 5
	}
	b.Run("vmath", func(b *testing.B) {
		for b.Loop() {
			f(dst, x)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
	})
	b.Run("scalar", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				dst[i] = ref(v)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
	})
}
