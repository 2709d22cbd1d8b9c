package blas

import (
	"math"
	"math/rand/v2"
	"testing"

	gblas "gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestInstalled checks that Gorgonia and its tensor package use this
// build's BLAS, and that a tensor matrix product gives the same bits as
// blas.Dgemm (so Gorgonia's own matmuls run on it).
func TestInstalled(t *testing.T) {
	if G.WhichBLAS() != G.BLAS(impl) || tensor.WhichBLAS() != tensor.BLAS(impl) {
		t.Fatalf("%s build: Gorgonia uses %T, tensor %T", Name(), G.WhichBLAS(), tensor.WhichBLAS())
	}
	const m, k, n = 37, 70, 45
	rng := rand.New(rand.NewPCG(2, 3))
	a, b := fill64(rng, m*k), fill64(rng, k*n)
	ta := tensor.New(tensor.WithShape(m, k), tensor.WithBacking(a))
	tb := tensor.New(tensor.WithShape(k, n), tensor.WithBacking(b))
	prod, err := tensor.MatMul(ta, tb)
	if err != nil {
		t.Fatal(err)
	}
	got := prod.Data().([]float64)
	want := make([]float64, m*n)
	Dgemm(gblas.NoTrans, gblas.NoTrans, m, n, k, 1, a, k, b, n, 0, want, n)
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("tensor.MatMul C[%d] = %v, blas.Dgemm %v", i, got[i], want[i])
		}
	}
}

// TestInvalidPanics checks that, like gonum's, the BLAS panics on an
// invalid argument (here a C too short), with the argument named.
func TestInvalidPanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("no panic for a short C")
		}
		if err, ok := r.(error); Name() == "go" && (!ok || err.Error() == "") {
			t.Fatalf("panic value %v, want an error naming C", r)
		}
	}()
	x := make([]float64, 4)
	Float64().Dgemm(gblas.NoTrans, gblas.NoTrans, 2, 2, 2, 1, x, 2, x, 2, 0, x[:3], 2)
}
