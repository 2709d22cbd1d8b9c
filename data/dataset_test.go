package data

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

func TestNewRejectsBadShapes(t *testing.T) {
	f64 := func(shape ...int) *tensor.Dense { return newDense(tensor.Float64, shape...) }
	cases := []struct {
		name string
		x, y *tensor.Dense
		want string
	}{
		{"nil", nil, f64(2, 1), "must not be nil"},
		{"int32 X", newDense(tensor.Int32, 2, 3), f64(2, 1), "want float64, float32 or int64"},
		{"int64 X, int32 Y", newDense(tensor.Int64, 2, 3), newDense(tensor.Int32, 2, 1), "want int64 class indices or float targets"},
		{"vector X", f64(4), f64(4, 1), "rank >= 2"},
		{"N mismatch", f64(4, 2), f64(3, 1), "X has 4 samples"},
		{"label rank", f64(4, 2), newDense(tensor.Int64, 4, 1), "class indices [4]"},
		{"float vector Y", f64(4, 2), f64(4), "want [4,K]"},
		{"dtype mismatch", f64(4, 2), newDense(tensor.Float32, 4, 1), "X's dtype"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New("bad", c.x, c.y)
			assertErrContains(t, err, c.want)
		})
	}
}

func TestValidateNamesDatasetRowAndColumn(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(d *Dataset)
		parts []string
	}{
		{"ok", func(d *Dataset) {}, nil},
		{"NaN in X", func(d *Dataset) { d.X.Float64s()[2*3+1] = math.NaN() }, []string{`"t"`, "X row 2, column 1", "NaN"}},
		{"named column", func(d *Dataset) {
			d.FeatureNames = []string{"a", "b", "c"}
			d.X.Float64s()[5] = math.Inf(1)
		}, []string{"X row 1, column 2 (\"c\")", "+Inf"}},
		{"negative label", func(d *Dataset) { d.Y.Int64s()[3] = -1 }, []string{"Y row 3", "negative class index -1"}},
		{"label beyond names", func(d *Dataset) { d.ClassNames = []string{"a", "b"}; d.Y.Int64s()[2] = 2 }, []string{"Y row 2", "outside [0,2)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := mustDataset(t, 4, 2, 3)
			d.Name = "t"
			c.edit(d)
			err := d.Validate()
			if c.parts == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			assertErrContains(t, err, c.parts...)
		})
	}
}

func TestValidateImagePositionAndFloatY(t *testing.T) {
	d := mustDataset(t, 3, 0, 2, 4, 5)
	d.X.Float64s()[1*40+1*20+2*5+3] = math.NaN()
	assertErrContains(t, d.Validate(), "X row 1, position [1 2 3]")
	d = mustDataset(t, 3, 0, 2)
	d.Y.Float64s()[2] = math.Inf(-1)
	assertErrContains(t, d.Validate(), "Y row 2, column 0", "-Inf")
	f, _ := mustDataset(t, 3, 0, 2).Float32()
	f.X.Float32s()[3] = float32(math.NaN())
	assertErrContains(t, f.Validate(), "X row 1, column 1")
}

func TestAsTypeRoundTrip(t *testing.T) {
	d := mustDataset(t, 5, 0, 3)
	f, err := d.AsType(tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	if f.X.Dtype() != tensor.Float32 || f.Y.Dtype() != tensor.Float32 || !f.X.Shape().Eq(d.X.Shape()) {
		t.Fatalf("got %v", f)
	}
	back, err := f.AsType(tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "X", back.X.Float64s(), d.X.Float64s(), 0)
	c, _ := mustDataset(t, 5, 3, 2).Float32()
	if c.Y.Dtype() != tensor.Int64 || c.X.Dtype() != tensor.Float32 {
		t.Fatalf("labels must stay int64: %v", c)
	}
	if _, err := d.AsType(tensor.Int32); err == nil {
		t.Fatal("AsType(Int32) accepted")
	}
}

func TestSubsetCopiesRowsInOrder(t *testing.T) {
	d := mustDataset(t, 6, 3, 2, 2)
	s, err := d.Subset("s", []int{4, 0, 4})
	if err != nil {
		t.Fatal(err)
	}
	if !s.X.Shape().Eq(tensor.Shape{3, 2, 2}) || s.Name != "s" {
		t.Fatalf("subset %v", s)
	}
	assertClose(t, "row 0", sampleOf(s, 0), sampleOf(d, 4), 0)
	assertClose(t, "row 1", sampleOf(s, 1), sampleOf(d, 0), 0)
	if got := s.Y.Int64s(); got[0] != 1 || got[1] != 0 || got[2] != 1 {
		t.Fatalf("labels %v", got)
	}
	s.X.Float64s()[0] = -1
	if d.X.Float64s()[16] == -1 {
		t.Fatal("subset shares data")
	}
	for _, bad := range [][]int{nil, {6}, {-1}} {
		if _, err := d.Subset("s", bad); err == nil {
			t.Fatalf("Subset(%v) accepted", bad)
		}
	}
}

func TestReshapeAndFlattenShareData(t *testing.T) {
	d := mustDataset(t, 2, 2, 1, 2, 3)
	f, err := d.Flatten()
	if err != nil {
		t.Fatal(err)
	}
	if !f.X.Shape().Eq(tensor.Shape{2, 6}) || !f.SampleShape().Eq(tensor.Shape{6}) {
		t.Fatalf("flatten %v", f.X.Shape())
	}
	f.X.Float64s()[7] = 100
	if d.X.Float64s()[7] != 100 {
		t.Fatal("Flatten copied the data")
	}
	if _, err := d.ReshapeX(5); err == nil {
		t.Fatal("ReshapeX to a wrong size accepted")
	}
}

func TestNewMaterializesViews(t *testing.T) {
	x := denseF64([]float64{0, 1, 2, 3, 4, 5, 6, 7}, 4, 2)
	v, err := x.Slice(tensor.S(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	d, err := New("view", v.(*tensor.Dense), denseI64([]int64{0, 1}))
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "X", d.X.Float64s(), []float64{2, 3, 4, 5}, 0)
	if got := d.String(); got != "view: X (2, 2) float64, Y (2) int64" {
		t.Fatalf("String() = %q", got)
	}
}
