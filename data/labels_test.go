package data

import (
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

func TestOneHot(t *testing.T) {
	got, err := OneHot(denseI64([]int64{2, 0, 1, 2}), 3, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}
	if !got.Shape().Eq(tensor.Shape{4, 3}) || !slices.Equal(got.Float32s(), want) {
		t.Fatalf("OneHot = %v %v", got.Shape(), got.Float32s())
	}
	for _, c := range []struct {
		labels *tensor.Dense
		k      int
		want   string
	}{
		{denseI64([]int64{0, 3}), 3, "label 3 at row 1"},
		{denseI64([]int64{-1}), 3, "label -1 at row 0"},
		{denseF64([]float64{0}, 1), 3, "int64 tensor"},
		{denseI64([]int64{0}), 0, "must be positive"},
	} {
		_, err := OneHot(c.labels, c.k, tensor.Float64)
		assertErrContains(t, err, c.want)
	}
}

func TestTargetConversions(t *testing.T) {
	d := mustDataset(t, 5, 3, 2)
	if d.NumClasses() != 3 || !slices.Equal(d.ClassCounts(), []int{2, 2, 1}) {
		t.Fatalf("NumClasses %d counts %v", d.NumClasses(), d.ClassCounts())
	}
	d.ClassNames = []string{"a", "b", "c", "d"}
	if d.NumClasses() != 4 {
		t.Fatalf("NumClasses with 4 names = %d", d.NumClasses())
	}
	oh, err := d.OneHotTargets(0)
	if err != nil {
		t.Fatal(err)
	}
	if !oh.Y.Shape().Eq(tensor.Shape{5, 4}) || oh.Y.Float64s()[4+1] != 1 || oh.IsClassification() {
		t.Fatalf("one-hot targets %v %v", oh.Y.Shape(), oh.Y.Float64s())
	}
	f, err := d.FloatTargets()
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "float targets", f.Y.Float64s(), []float64{0, 1, 2, 0, 1}, 0)
	if !f.Y.Shape().Eq(tensor.Shape{5, 1}) || f.X != d.X {
		t.Fatalf("FloatTargets shape %v, X shared %v", f.Y.Shape(), f.X == d.X)
	}
	r := mustDataset(t, 3, 0, 2)
	if r.NumClasses() != 0 || r.ClassCounts() != nil {
		t.Fatal("regression dataset has classes")
	}
	if _, err := r.FloatTargets(); err == nil {
		t.Fatal("FloatTargets on float Y accepted")
	}
	if _, err := r.OneHotTargets(2); err == nil {
		t.Fatal("OneHotTargets on float Y accepted")
	}
}

func TestPermutationIsSeeded(t *testing.T) {
	a, b, c := Permutation(50, 7), Permutation(50, 7), Permutation(50, 8)
	if !slices.Equal(a, b) {
		t.Fatal("same seed, different permutations")
	}
	if slices.Equal(a, c) {
		t.Fatal("different seeds, same permutation")
	}
	s := slices.Sorted(slices.Values(a))
	for i, v := range s {
		if v != i {
			t.Fatalf("not a permutation: %v", a)
		}
	}
}
