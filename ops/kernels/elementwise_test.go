package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/chewxy/math32"

	"github.com/symgrad/symgrad/internal/asmtest"
	"github.com/symgrad/symgrad/internal/floatdense"
)

func randoms(rng *rand.Rand, n int, lo, hi float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = lo + (hi-lo)*rng.Float64()
	}
	return v
}

// naiveArith is the reference of one element.
func naiveArith(op Arith, a, b float64) float64 {
	return [...]float64{a + b, a - b, a * b, a / b}[op]
}

func TestBinaryMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, b := randoms(rng, 7, -2, 2), randoms(rng, 7, 0.5, 2)
	for _, op := range []Arith{Add, Sub, Mul, Div} {
		for _, tc := range []struct {
			name string
			a, b []float64
		}{{"same", a, b}, {"scalar right", a, b[:1]}, {"scalar left", a[:1], b}} {
			o := make([]float64, 7)
			o32 := make([]float32, 7)
			if !Binary(op, o, tc.a, tc.b) || !Binary(op, o32, floatdense.Float32s(tc.a), floatdense.Float32s(tc.b)) {
				t.Fatalf("%d %s: refused", op, tc.name)
			}
			for i := range o {
				x, y := tc.a[min(i, len(tc.a)-1)], tc.b[min(i, len(tc.b)-1)]
				if want := naiveArith(op, x, y); o[i] != want {
					t.Errorf("%d %s [%d]: %v, want %v", op, tc.name, i, o[i], want)
				}
				if want := float32(naiveArith(op, float64(float32(x)), float64(float32(y)))); o32[i] != want {
					t.Errorf("%d %s float32 [%d]: %v, want %v", op, tc.name, i, o32[i], want)
				}
			}
		}
	}
	if Binary(Add, make([]float64, 3), a[:2], b[:3]) {
		t.Error("lengths 2 and 3 into 3 accepted")
	}
}

func TestUnaryMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := randoms(rng, 9, 0.1, 3)
	ref := map[Func]func(float64) float64{
		Square: func(v float64) float64 { return v * v }, Neg: func(v float64) float64 { return -v },
		Exp: math.Exp, Log: math.Log, Sqrt: math.Sqrt, Abs: math.Abs,
	}
	// float32: chewxy/math32, as Gorgonia's tensor package computes it.
	ref32 := map[Func]func(float32) float32{
		Square: func(v float32) float32 { return v * v }, Neg: func(v float32) float32 { return -v },
		Exp: math32.Exp, Log: math32.Log, Sqrt: math32.Sqrt, Abs: math32.Abs,
	}
	for f, r := range ref {
		o := make([]float64, len(x))
		if !Unary(f, o, x) {
			t.Fatalf("func %d refused float64", f)
		}
		for i, v := range x {
			if o[i] != r(v) {
				t.Errorf("func %d [%d]: %v, want %v", f, i, o[i], r(v))
			}
		}
		o32, x32 := make([]float32, len(x)), floatdense.Float32s(x)
		if !Unary(f, o32, x32) {
			t.Fatalf("func %d refused float32", f)
		}
		for i, v := range x32 {
			if want := ref32[f](v); math.Float32bits(o32[i]) != math.Float32bits(want) {
				t.Errorf("func %d float32 [%d]: %v, want %v", f, i, o32[i], want)
			}
		}
	}
	if Unary(Neg, make([]float64, 2), x) {
		t.Error("lengths 9 into 2 accepted")
	}
}

func TestSumInOrder(t *testing.T) {
	x := []float64{1e16, 1, -1e16, 1}
	want := 0.0
	for _, v := range x {
		want += v
	}
	if got := Sum(x); got != want || got != 1 { // exactly: 2; left to right: 1
		t.Errorf("sum %v, want the left-to-right sum", got)
	}
	if got := Sum([]float32{1, 2, 3}); got != 6 {
		t.Errorf("float32 sum %v", got)
	}
	// From 0 a lone -0 becomes +0; from itself it stays -0.
	negZero := math.Copysign(0, -1)
	if got := Sum([]float64{negZero}); math.Signbit(got) {
		t.Errorf("Sum(-0) = %v, want +0", got)
	}
	if got := SumFrom(negZero, nil); !math.Signbit(got) {
		t.Errorf("SumFrom(-0) = %v, want -0", got)
	}
	if got := SumFrom(1e16, x[1:]); got != want {
		t.Errorf("SumFrom %v, want the left-to-right sum %v", got, want)
	}
}

func TestFill(t *testing.T) {
	d := []float32{1, 2, 3}
	Fill(d[1:], -4)
	if d[0] != 1 || d[1] != -4 || d[2] != -4 {
		t.Errorf("Fill gave %v, want [1 -4 -4]", d)
	}
}

func TestElementwiseAllocatesNothing(t *testing.T) {
	x, o := []float64{1, 2, 3}, make([]float64, 3)
	x32, o32 := []float32{1, 2, 3}, make([]float32, 3)
	if n := testing.AllocsPerRun(10, func() {
		Binary(Mul, o, x, x)
		Binary(Add, o32, x32, x32[:1])
		Unary(Exp, o, x)
		Unary(Exp, o32, x32)
		Unary(Square, o32, x32)
		_ = Sum(x)
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

// TestBinaryKernelsAreTheLoops: Binary (the assembly's blocks where the
// CPU has them, then the loops) gives, element by element, the bits of
// one Go operation per element, for every op, both dtypes, each form
// (vector-vector, vector-scalar, scalar-vector) and every length from 0
// to 100 (whole blocks and tails), over values that include ±0, ±Inf,
// NaN and subnormals (a NaN matches any NaN).
func TestBinaryKernelsAreTheLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 5e-324, 1e-40, 3.5, -7}
	draw := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
			if rng.IntN(8) == 0 {
				x[i] = special[rng.IntN(len(special))]
			}
		}
		return x
	}
	for n := 0; n <= 100; n++ {
		a, b := draw(n), draw(n)
		for _, op := range []Arith{Add, Sub, Mul, Div} {
			checkBinaryKernel(t, op, a, b)
			checkBinaryKernel(t, op, floatdense.Float32s(a), floatdense.Float32s(b))
		}
	}
}

// checkBinaryKernel checks the three forms of op on a and b (the scalar
// forms take b[0] or a[0] as the scalar).
func checkBinaryKernel[T Float](t *testing.T, op Arith, a, b []T) {
	t.Helper()
	n := len(a)
	one := func(x, y T) T { return [...]T{x + y, x - y, x * y, x / y}[op] }
	for form, operands := range [][2][]T{{a, b}, {a, b[:min(1, n)]}, {a[:min(1, n)], b}} {
		x, y := operands[0], operands[1]
		if n == 0 && form > 0 {
			continue
		}
		got := make([]T, n)
		if !Binary(op, got, x, y) {
			t.Fatalf("%T op %d form %d n=%d: refused", a, op, form, n)
		}
		for i := range got {
			xi, yi := x[min(i, len(x)-1)], y[min(i, len(y)-1)]
			want := one(xi, yi)
			if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want)) && !(got[i] != got[i] && want != want) {
				t.Fatalf("%T op %d form %d n=%d element %d: %v (op) %v = %v, want %v", a, op, form, n, i, xi, yi, got[i], want)
			}
		}
	}
}

// TestGeneratedAssembly: binary_amd64.s and binary_amd64.go are what the
// avo generator (the go:generate line in select_amd64.go) writes.
func TestGeneratedAssembly(t *testing.T) {
	asmtest.CheckGenerated(t, "kernels", "binary_amd64.s", "binary_amd64.go")
}
