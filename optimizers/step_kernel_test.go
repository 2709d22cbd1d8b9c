package optimizers

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/symgrad/symgrad/internal/asmtest"
	"github.com/symgrad/symgrad/internal/floatdense"
)

// TestAdamKernelIsAdamPlain: adamPlain (the assembly's blocks of four
// where the CPU has it, then the loop) is bit for bit the loop alone, for
// both dtypes, every length from 0 to 40 and steps of several sizes.
func TestAdamKernelIsAdamPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, h := range []adamStep{
		{b1: 0.9, c1: 0.1, b2: 0.999, c2: 0.001, bc2sqrt: math.Sqrt(1 - 0.999), eps: 1e-8, negStepSize: -1e-3 / (1 - 0.9)},
		{b1: 0.5, c1: 0.5, b2: 0.75, c2: 0.25, bc2sqrt: 0.3, eps: 1e-3, negStepSize: -0.7},
	} {
		for n := 0; n <= 40; n++ {
			checkAdamKernel[float64](t, rng, n, &h)
			checkAdamKernel[float32](t, rng, n, &h)
		}
	}
}

func checkAdamKernel[T float](t *testing.T, rng *rand.Rand, n int, h *adamStep) {
	t.Helper()
	draw := func(scale float64, nonneg bool) []T {
		x := make([]T, n)
		for i := range x {
			x[i] = T(rng.NormFloat64() * scale)
			if nonneg {
				x[i] = T(math.Abs(float64(x[i])))
			}
		}
		return x
	}
	p, g, m, v := draw(1, false), draw(0.1, false), draw(0.01, false), draw(0.001, true)
	p2, m2, v2 := append([]T(nil), p...), append([]T(nil), m...), append([]T(nil), v...)
	adamPlain(p, g, m, v, h)
	adamPlainFrom(0, p2, g, m2, v2, h)
	for i := range n {
		if bits(p[i]) != bits(p2[i]) || bits(m[i]) != bits(m2[i]) || bits(v[i]) != bits(v2[i]) {
			t.Fatalf("%T n=%d element %d: p %v m %v v %v, the loop gives %v %v %v", p[0], n, i, p[i], m[i], v[i], p2[i], m2[i], v2[i])
		}
	}
}

// TestSGDKernelsAreTheLoops: plain and heavy-ball SGD (the assembly's
// blocks of four where the CPU has it, then the loop) are bit for bit
// their loops alone, for both dtypes, every length from 0 to 40 and
// several rates, dampenings and momenta.
func TestSGDKernelsAreTheLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, h := range []sgdStep{{-0.01, 1, 0.9}, {-0.5, 0.75, 0.3}, {-1e-4, 0.1, 0.999}} {
		for n := 0; n <= 40; n++ {
			checkSGDKernels[float64](t, rng, n, h)
			checkSGDKernels[float32](t, rng, n, h)
		}
	}
}

// sgdStep is one SGD step's constants: -lr, 1 - dampening and momentum.
type sgdStep struct{ negLR, keep, mom float64 }

func checkSGDKernels[T float](t *testing.T, rng *rand.Rand, n int, h sgdStep) {
	t.Helper()
	draw := func(scale float64) []T {
		x := make([]T, n)
		for i := range x {
			x[i] = T(rng.NormFloat64() * scale)
		}
		return x
	}
	sameSGDKernels(t, draw(1), draw(0.1), draw(0.01), h)
}

// sameSGDKernels fails t unless both SGD steps over p, g and buf (blocks
// and loop) give the loops' bits (NaN matching NaN).
func sameSGDKernels[T float](t *testing.T, p, g, buf []T, h sgdStep) {
	t.Helper()
	negLR, keep, mom := T(h.negLR), T(h.keep), T(h.mom)
	same := func(a, b []T) int {
		for i := range a {
			if bits(a[i]) != bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
				return i
			}
		}
		return -1
	}
	p1, p2 := append([]T(nil), p...), append([]T(nil), p...)
	sgdPlainFrom(sgdBlocks(p1, g, nil, negLR, 0, 0), p1, g, negLR)
	sgdPlainFrom(0, p2, g, negLR)
	if i := same(p1, p2); i >= 0 {
		t.Fatalf("plain %T n=%d element %d: %v, the loop gives %v", p[0], len(p), i, p1[i], p2[i])
	}
	p1, p2 = append([]T(nil), p...), append([]T(nil), p...)
	b1, b2 := append([]T(nil), buf...), append([]T(nil), buf...)
	sgdMomentumFrom(sgdBlocks(p1, g, b1, negLR, keep, mom), p1, g, b1, negLR, keep, mom)
	sgdMomentumFrom(0, p2, g, b2, negLR, keep, mom)
	if i, j := same(p1, p2), same(b1, b2); i >= 0 || j >= 0 {
		t.Fatalf("momentum %T n=%d: p %v buf %v, the loop gives %v %v (first differences at %d, %d)", p[0], len(p), p1, b1, p2, b2, i, j)
	}
}

func bits[T float](x T) uint64 {
	if f, ok := any(x).(float32); ok {
		return uint64(math.Float32bits(f))
	}
	return math.Float64bits(float64(x))
}

// TestGeneratedAssembly: step_amd64.s and step_amd64.go are what the avo
// generator (the go:generate line in step_select_amd64.go) writes.
func TestGeneratedAssembly(t *testing.T) {
	asmtest.CheckGenerated(t, "optimizers", "step_amd64.s", "step_amd64.go")
}

// FuzzAdamKernel: for any parameters, gradients and moments (from the
// fuzzer's bytes, v taken as |v|), adamPlain's assembly blocks give the
// loop's bits in both dtypes, and so do SGD's (plain and heavy-ball, m the
// momentum buffer, b1 the momentum, b2 the kept fraction).
func FuzzAdamKernel(f *testing.F) {
	f.Add(make([]byte, 32*9), 0.9, 0.999, 1e-3)
	f.Fuzz(func(t *testing.T, b []byte, b1, b2, lr float64) {
		b1, b2, lr = unit(b1), unit(b2), unit(lr)
		h := adamStep{b1: b1, c1: 1 - b1, b2: b2, c2: 1 - b2, bc2sqrt: math.Sqrt(1 - b2*b2), eps: 1e-8, negStepSize: -lr / (1 - b1*b1)}
		n := len(b) / 32
		word := func(i int) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])) }
		p, g, m, v := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range n {
			p[i], g[i], m[i], v[i] = word(4*i), word(4*i+1), word(4*i+2), math.Abs(word(4*i+3))
		}
		fuzzAdam(t, p, g, m, v, &h)
		fuzzAdam(t, floatdense.Float32s(p), floatdense.Float32s(g), floatdense.Float32s(m), floatdense.Float32s(v), &h)
		sh := sgdStep{negLR: -lr, keep: b2, mom: b1}
		sameSGDKernels(t, p, g, m, sh)
		sameSGDKernels(t, floatdense.Float32s(p), floatdense.Float32s(g), floatdense.Float32s(m), sh)
	})
}

// unit maps any float64 into (0, 1): its fractional part, 0.5 for one
// that has none (an integer, ±Inf, NaN).
func unit(x float64) float64 {
	if f := math.Abs(x) - math.Floor(math.Abs(x)); f > 0 && f < 1 {
		return f
	}
	return 0.5
}

func fuzzAdam[T float](t *testing.T, p, g, m, v []T, h *adamStep) {
	t.Helper()
	p2, m2, v2 := append([]T(nil), p...), append([]T(nil), m...), append([]T(nil), v...)
	adamPlain(p, g, m, v, h)
	adamPlainFrom(0, p2, g, m2, v2, h)
	same := func(a, b T) bool { return bits(a) == bits(b) || (a != a && b != b) }
	for i := range p {
		if !same(p[i], p2[i]) || !same(m[i], m2[i]) || !same(v[i], v2[i]) {
			t.Fatalf("%T element %d: p %v m %v v %v, the loop gives %v %v %v", p[0], i, p[i], m[i], v[i], p2[i], m2[i], v2[i])
		}
	}
}
