package floatdense

import (
	"math"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

func TestOfAndFloat64s(t *testing.T) {
	v := []float64{1.5, -2, 0.1}
	f64 := Of(tensor.Float64, []int{3}, v)
	if got := Float64s(f64.Data()); &got[0] != &v[0] {
		t.Error("Float64 tensor does not alias v, or Float64s copied it")
	}
	f32 := Of(tensor.Float32, []int{1, 3}, v)
	if f32.Dtype() != tensor.Float32 || !f32.Shape().Eq(tensor.Shape{1, 3}) {
		t.Fatalf("got %v %v, want float32 (1, 3)", f32.Dtype(), f32.Shape())
	}
	want := []float64{1.5, -2, float64(float32(0.1))}
	if got := Float64s(f32.Data()); !slices.Equal(got, want) {
		t.Errorf("float32 elements %v, want %v", got, want)
	}
	if Float64s([]int64{1}) != nil || Float64s(1.0) != nil {
		t.Error("Float64s of non-float data is not nil")
	}
}

func TestFloat32s(t *testing.T) {
	v := []float32{1.5, -2}
	if got := Float32s(v); &got[0] != &v[0] {
		t.Error("Float32s copied a []float32")
	}
	want := []float32{1.5, -2, float32(0.1)}
	if got := Float32s([]float64{1.5, -2, 0.1}); !slices.Equal(got, want) {
		t.Errorf("Float32s of float64s = %v, want %v", got, want)
	}
	if Float32s([]int64{1}) != nil || Float32s(float32(1)) != nil {
		t.Error("Float32s of non-float data is not nil")
	}
}

func TestFillDrawsInOrder(t *testing.T) {
	next := func() func() float64 {
		k := 0.0
		return func() float64 { k += 0.1; return k }
	}
	d64, d32 := make([]float64, 3), make([]float32, 3)
	Fill(d64, next())
	Fill(d32, next())
	for i := range d64 {
		if d32[i] != float32(d64[i]) {
			t.Errorf("element %d: float32 %v, float64 %v", i, d32[i], d64[i])
		}
	}
	Fill(d64, math.NaN)
	if !math.IsNaN(d64[2]) {
		t.Error("Fill(NaN) left a number")
	}
}

func TestUnravel(t *testing.T) {
	for _, c := range []struct {
		i     int
		shape []int
		want  []int
	}{{0, nil, nil}, {4, []int{5}, []int{4}}, {5, []int{2, 3}, []int{1, 2}}, {7, []int{2, 2, 2}, []int{1, 1, 1}}} {
		if got := Unravel(c.i, c.shape); !slices.Equal(got, c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("Unravel(%d, %v) = %v, want %v", c.i, c.shape, got, c.want)
		}
	}
}

func TestBits(t *testing.T) {
	negZero := math.Copysign(0, -1)
	if b := Bits([]float64{0, negZero}); b[0] == b[1] {
		t.Error("0 and -0 have the same bits")
	}
	if b := Bits([]float32{float32(math.NaN())}); b[0] != uint64(math.Float32bits(float32(math.NaN()))) {
		t.Errorf("float32 NaN bits %x", b[0])
	}
	if Bits([]int64{1}) != nil {
		t.Error("Bits of int64 data is not nil")
	}
}

func TestCopy(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		src, dst := Of(dt, []int{3}, []float64{1, 2, 3}), Of(dt, []int{3}, make([]float64, 3))
		if !Copy(dst, src) || !slices.Equal(Float64s(dst.Data()), []float64{1, 2, 3}) {
			t.Errorf("%v: Copy gave %v", dt, dst.Data())
		}
	}
	f64, f32 := Of(tensor.Float64, []int{1}, []float64{1}), Of(tensor.Float32, []int{1}, []float64{2})
	if Copy(f64, f32) || f64.Float64s()[0] != 1 {
		t.Error("Copy across dtypes copied")
	}
	ints := tensor.New(tensor.WithBacking([]int64{1}))
	if Copy(ints, ints) {
		t.Error("Copy of int64 tensors reports a float copy")
	}
}
