package gemm

import (
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// TestBetaZeroIgnoresC checks that beta = 0 overwrites C without reading
// it (NaN and Inf in C do not leak), also when alpha = 0 or k = 0.
func TestBetaZeroIgnoresC(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range []shape{
		{m: 7, n: 17, k: 33, alpha: 1},
		{m: 64, n: 300, k: 300, alpha: 2}, // split between goroutines
		{m: 5, n: 3, k: 4, alpha: 0},
		{m: 5, n: 3, k: 0, alpha: 1},
	} {
		a, lda, b, ldb, _, ldc := operands[float64](rng, s)
		c := make([]float64, s.m*ldc)
		for i := range c {
			c[i] = []float64{math.NaN(), math.Inf(1)}[i%2]
		}
		if err := Dgemm(NoTrans, NoTrans, s.m, s.n, s.k, s.alpha, a, lda, b, ldb, 0, c, ldc); err != nil {
			t.Fatal(err)
		}
		want := make([]float64, len(c))
		naive(NoTrans, NoTrans, s.m, s.n, s.k, s.alpha, a, lda, b, ldb, 0, want, ldc)
		for i := range c {
			if math.IsNaN(c[i]) || math.IsInf(c[i], 0) || math.Abs(c[i]-want[i]) > 1e-12 {
				t.Fatalf("%v: C[%d] = %g, want %g", s, i, c[i], want[i])
			}
		}
	}
}

// TestAlphaZeroScales checks C = beta·C when alpha = 0 or k = 0 (A and B
// are not read: they may hold NaN).
func TestAlphaZeroScales(t *testing.T) {
	nan := []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	for _, tc := range []struct {
		k     int
		alpha float64
	}{{2, 0}, {0, 1}} {
		c := []float64{1, 2, 3, 4}
		if err := Dgemm(NoTrans, NoTrans, 2, 2, tc.k, tc.alpha, nan, 2, nan, 2, 0.5, c, 2); err != nil {
			t.Fatal(err)
		}
		for i, want := range []float64{0.5, 1, 1.5, 2} {
			if c[i] != want {
				t.Fatalf("k=%d alpha=%g: C[%d] = %g, want %g", tc.k, tc.alpha, i, c[i], want)
			}
		}
	}
}

// TestErrors checks that invalid arguments return an error naming them.
func TestErrors(t *testing.T) {
	x := make([]float64, 12)
	for _, tc := range []struct {
		name                string
		tA                  Transpose
		m, n, k             int
		la, lda, lb, ldb, l int
		ldc                 int
		want                string
	}{
		{"negative m", NoTrans, -1, 2, 2, 12, 2, 12, 2, 12, 2, "m = -1"},
		{"negative k", NoTrans, 2, 2, -3, 12, 2, 12, 2, 12, 2, "k = -3"},
		{"short lda", NoTrans, 2, 2, 3, 12, 2, 12, 2, 12, 2, "lda = 2"},
		{"short lda trans", Trans, 4, 2, 2, 12, 3, 12, 2, 12, 2, "lda = 3"},
		{"short b", NoTrans, 2, 2, 3, 12, 3, 5, 2, 12, 2, "len(b) = 5"},
		{"short ldc", NoTrans, 2, 3, 2, 12, 2, 12, 3, 12, 2, "ldc = 2"},
		{"short c", NoTrans, 3, 3, 2, 12, 2, 12, 3, 7, 3, "len(c) = 7"},
	} {
		err := Dgemm(tc.tA, NoTrans, tc.m, tc.n, tc.k, 1, x[:tc.la], tc.lda, x[:tc.lb], tc.ldb, 0, x[:tc.l], tc.ldc)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "gemm.Dgemm") {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if err := Sgemm(NoTrans, NoTrans, 1, 1, 1, 1, nil, 1, nil, 1, 0, nil, 1); err == nil || !strings.HasPrefix(err.Error(), "gemm.Sgemm") {
		t.Errorf("Sgemm with empty slices: error %v", err)
	}
}

// TestDeterministic checks that repeated calls, the split between
// goroutines, a single-goroutine run and other splits all give the same
// bits (the result does not depend on the number of threads).
func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range []shape{
		{m: 131, n: 257, k: 700, alpha: 1.5, beta: 0.5},
		{tA: Trans, tB: Trans, m: 40, n: 1500, k: 530, alpha: 1, beta: 1},
		// 300 rows pack B; the 6- and 48-row parts read it in place.
		{m: 300, n: 100, k: 300, alpha: 1, beta: 0, pb: 3},
	} {
		a, lda, b, ldb, c0, ldc := operands[float64](rng, s)
		got := func() []float64 {
			c := append([]float64(nil), c0...)
			if err := Dgemm(s.tA, s.tB, s.m, s.n, s.k, s.alpha, a, lda, b, ldb, s.beta, c, ldc); err != nil {
				t.Fatal(err)
			}
			return c
		}
		first := got()
		// The same product on one goroutine, and cut into 3 row parts
		// and 5 column parts (at tile boundaries, each on a fresh worker).
		serial, rows, cols := append([]float64(nil), c0...), append([]float64(nil), c0...), append([]float64(nil), c0...)
		p := problem[float64]{s.tA, s.tB, s.m, s.n, s.k, s.alpha, a, lda, b, ldb, s.beta, serial, ldc}
		var w worker
		block(&f64, &w.s64, &p, 0, s.m, 0, s.n)
		p.c = rows
		for _, r := range [][2]int{{0, 6}, {6, min(s.m, 6*9)}, {min(s.m, 6*9), s.m}} {
			var w worker
			block(&f64, &w.s64, &p, r[0], r[1], 0, s.n)
		}
		p.c = cols
		for j := 0; j < s.n; j += 5 * nr64 {
			var w worker
			block(&f64, &w.s64, &p, 0, s.m, j, min(s.n, j+5*nr64))
		}
		for run, c := range [][]float64{got(), got(), serial, rows, cols} {
			for i := range c {
				if math.Float64bits(c[i]) != math.Float64bits(first[i]) && !math.IsNaN(first[i]) {
					t.Fatalf("%v: run %d C[%d] = %x, first run %x", s, run, i, math.Float64bits(c[i]), math.Float64bits(first[i]))
				}
			}
		}
	}
}

// TestKernelsAgree checks that the plain-Go kernels agree with the
// assembly ones (to rounding: the assembly fuses its multiply-adds), with
// and without loading C.
func TestKernelsAgree(t *testing.T) {
	if !hasAsm {
		t.Skip("no assembly kernel in this build or on this CPU")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, kc := range []int{1, 3, 4, 5, 17, 256} {
		for load := range 2 {
			a, b, c := random[float64](rng, kc*mr), random[float64](rng, kc*nr64), random[float64](rng, mr*nr64+3)
			ca, cg := append([]float64(nil), c...), append([]float64(nil), c...)
			f64.kernel(kc, &a[0], &b[0], nr64, &ca[0], nr64, 1.25, -0.75, load)
			dkernelGo(kc, &a[0], &b[0], nr64, &cg[0], nr64, 1.25, -0.75, load)
			for i := range ca {
				if d := math.Abs(ca[i] - cg[i]); d > 1e-15*float64(kc+2) || (i >= mr*nr64 && ca[i] != c[i]) {
					t.Fatalf("f64 kc=%d load=%d: C[%d] asm %g, go %g", kc, load, i, ca[i], cg[i])
				}
			}
			a32, b32, c32 := random[float32](rng, kc*mr), random[float32](rng, kc*nr32), random[float32](rng, mr*nr32)
			sa, sg := append([]float32(nil), c32...), append([]float32(nil), c32...)
			f32.kernel(kc, &a32[0], &b32[0], nr32, &sa[0], nr32, 1.25, -0.75, load)
			skernelGo(kc, &a32[0], &b32[0], nr32, &sg[0], nr32, 1.25, -0.75, load)
			for i := range sa {
				if d := math.Abs(float64(sa[i] - sg[i])); d > 1e-6*float64(kc+2) {
					t.Fatalf("f32 kc=%d load=%d: C[%d] asm %g, go %g", kc, load, i, sa[i], sg[i])
				}
			}
		}
	}
}

// TestNoAllocations checks that steady-state calls allocate nothing, on
// one goroutine and split.
func TestNoAllocations(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, sz := range [][3]int{{64, 100, 50}, {128, 784, 256}} {
		m, k, n := sz[0], sz[1], sz[2]
		a, b, c := random[float64](rng, m*k), random[float64](rng, k*n), make([]float64, m*n)
		a32, b32, c32 := random[float32](rng, m*k), random[float32](rng, k*n), make([]float32, m*n)
		call := func() {
			_ = Dgemm(NoTrans, Trans, m, n, k, 1, a, k, b, k, 0, c, n)
			_ = Sgemm(Trans, NoTrans, m, n, k, 1, a32, m, b32, n, 1, c32, n)
		}
		workers.start()
		// Warm up every recycled caller (their buffers grow to the size).
		for range 4 * cap(workers.free) {
			call()
		}
		allocs := testing.AllocsPerRun(20, call)
		if allocs != 0 {
			t.Errorf("%v: %g allocations per call", sz, allocs)
		}
	}
}

// TestConcurrentCalls checks products running at once on several
// goroutines (each needs its own buffers).
func TestConcurrentCalls(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 13))
			m, n, k := 50+g*7, 90+g*13, 400 // the larger ones are split
			a, b := random[float64](rng, m*k), random[float64](rng, k*n)
			for range 5 {
				c, want := make([]float64, m*n), make([]float64, m*n)
				if err := Dgemm(NoTrans, NoTrans, m, n, k, 1, a, k, b, n, 0, c, n); err != nil {
					errs <- err.Error()
					return
				}
				naive(NoTrans, NoTrans, m, n, k, 1, a, k, b, n, 0, want, n)
				for i := range c {
					if math.Abs(c[i]-want[i]) > 1e-12 {
						errs <- "wrong product on a concurrent call"
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

// TestKernelName checks that Kernel names the kernels in use.
func TestKernelName(t *testing.T) {
	want := map[bool]string{true: "avx2+fma", false: "go"}[hasAsm]
	if got := Kernel(); got != want {
		t.Fatalf("Kernel() = %q, want %q", got, want)
	}
}
