package ops

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestMapIntoMatchesDo checks the inlined ReLU and step kernels of
// UsePreallocDo against the op's own f (Do's path) bit for bit, on the
// special values where a hand-written loop could differ.
func TestMapIntoMatchesDo(t *testing.T) {
	xs := []float64{-2, -1e-300, math.Copysign(0, -1), 0, 1e-300, 3, math.Inf(1), math.Inf(-1), math.NaN()}
	for _, op := range []*elemOp{
		{name: "relu", f: func(x float64) float64 { return math.Max(x, 0) }},
		stepOp(0),
		stepOp(0.1), // not inlined: the generic path
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			x := denseFrom(xs, dt)
			want, err := op.Do(x)
			if err != nil {
				t.Fatal(err)
			}
			buf := tensor.New(tensor.Of(dt), tensor.WithShape(len(xs)))
			got, err := op.UsePreallocDo(buf, x)
			if err != nil {
				t.Fatal(err)
			}
			if got != G.Value(buf) {
				t.Fatalf("%s: UsePreallocDo did not return its buffer", op.name)
			}
			w, g := float64sOrDie(t, want), float64sOrDie(t, got)
			for i := range w {
				if math.Float64bits(w[i]) != math.Float64bits(g[i]) {
					t.Errorf("%s %v (%v): prealloc %v, Do %v", op.name, dt, xs[i], g[i], w[i])
				}
			}
		}
	}
}

func denseFrom(xs []float64, dt tensor.Dtype) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(xs))
		for i, x := range xs {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(len(xs)), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(len(xs)), tensor.WithBacking(append([]float64(nil), xs...)))
}

func float64sOrDie(t *testing.T, v G.Value) []float64 {
	t.Helper()
	f, err := float64sOf(v)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
