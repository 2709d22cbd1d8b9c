package data

import (
	"reflect"
	"testing"

	"gorgonia.org/tensor"
)

// tokenDataset is n sequences of 3 token ids (row i holds 10i, 10i+1,
// 10i+2) with class labels i mod 2.
func tokenDataset(t *testing.T, n int) *Dataset {
	t.Helper()
	x := make([]int64, 3*n)
	y := make([]int64, n)
	for i := range n {
		x[3*i], x[3*i+1], x[3*i+2] = int64(10*i), int64(10*i+1), int64(10*i+2)
		y[i] = int64(i % 2)
	}
	d, err := New("tokens", tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(x)), denseI64(y))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// rowIDs returns the sample index of every row of an int64 X built by
// tokenDataset, checking that each row is intact.
func rowIDs(t *testing.T, x *tensor.Dense) []int {
	t.Helper()
	if x.Dtype() != tensor.Int64 {
		t.Fatalf("X has dtype %v, want int64", x.Dtype())
	}
	v := x.Int64s()
	ids := make([]int, len(v)/3)
	for r := range ids {
		ids[r] = int(v[3*r] / 10)
		if v[3*r+1] != v[3*r]+1 || v[3*r+2] != v[3*r]+2 {
			t.Fatalf("row %d = %v, not one sample's ids", r, v[3*r:3*r+3])
		}
	}
	return ids
}

// TestTokenDatasetBatchesAndSplits checks that int64 token ids stay int64
// and rows stay whole through batching (shuffled), subsets, splits (plain
// and stratified), AsType and ReshapeX.
func TestTokenDatasetBatchesAndSplits(t *testing.T) {
	d := tokenDataset(t, 10)
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := NewBatcher(d, BatchConfig{Size: 4, Shuffle: true, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	for b.Next() {
		ids := rowIDs(t, b.X())
		for k, i := range ids {
			if b.Y().Int64s()[k] != int64(i%2) {
				t.Errorf("batch row %d: label %d for sample %d", k, b.Y().Int64s()[k], i)
			}
		}
		seen = append(seen, ids...)
	}
	if want := Permutation(10, 3); !reflect.DeepEqual(seen, want) {
		t.Errorf("shuffled order %v, want %v", seen, want)
	}
	for _, cfg := range []SplitConfig{{Val: 0.2, Test: 0.2, Seed: 1}, {Val: 0.2, Test: 0.2, Seed: 1, Stratify: true}} {
		s, err := Split(d, cfg)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, part := range []*Dataset{s.Train, s.Val, s.Test} {
			ids := rowIDs(t, part.X)
			for k, i := range ids {
				if part.Y.Int64s()[k] != int64(i%2) {
					t.Errorf("%s row %d: label %d for sample %d", part.Name, k, part.Y.Int64s()[k], i)
				}
			}
			total += len(ids)
		}
		if total != 10 {
			t.Errorf("splits %+v hold %d samples, want 10", cfg, total)
		}
	}
	f32, err := d.Float32()
	if err != nil {
		t.Fatal(err)
	}
	if f32.X != d.X {
		t.Error("AsType(float32) did not keep the int64 token ids")
	}
	r, err := d.ReshapeX(3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r.X.Dtype() != tensor.Int64 || !reflect.DeepEqual([]int(r.X.Shape()), []int{10, 3, 1}) {
		t.Errorf("ReshapeX(3, 1): %v %v", r.X.Dtype(), r.X.Shape())
	}
	ft, err := d.FloatTargets()
	if err != nil {
		t.Fatal(err)
	}
	if ft.Y.Dtype() != tensor.Float64 {
		t.Errorf("FloatTargets of a token dataset: Y %v, want float64", ft.Y.Dtype())
	}
}

// TestTokenDatasetValidate checks that a negative token id is reported by
// row and position.
func TestTokenDatasetValidate(t *testing.T) {
	d := tokenDataset(t, 4)
	d.X.Int64s()[7] = -3
	assertErrContains(t, d.Validate(), "X row 2", "column 1", "negative token id -3")
}

// TestKeywordTexts checks the generator's shapes, balance and the planted
// keywords (only the class's own keywords below classes·keywords).
func TestKeywordTexts(t *testing.T) {
	d, err := KeywordTexts(30, 12, 50, 3, 4, 2, 7)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual([]int(d.X.Shape()), []int{30, 12}) || d.X.Dtype() != tensor.Int64 {
		t.Fatalf("X %v %v", d.X.Dtype(), d.X.Shape())
	}
	counts := make([]int, 3)
	for i, c := range d.Y.Int64s() {
		counts[c]++
		kw := 0
		for _, id := range d.X.Int64s()[i*12 : (i+1)*12] {
			if id < 0 || id >= 50 {
				t.Fatalf("row %d: token %d outside the vocabulary", i, id)
			}
			if id < 12 {
				if id/4 != c {
					t.Errorf("row %d of class %d holds keyword %d of class %d", i, c, id, id/4)
				}
				kw++
			}
		}
		if kw != 2 {
			t.Errorf("row %d: %d keywords, want 2", i, kw)
		}
	}
	if !reflect.DeepEqual(counts, []int{10, 10, 10}) {
		t.Errorf("class counts %v, want balanced", counts)
	}
	if _, err := KeywordTexts(10, 5, 8, 3, 3, 1, 1); err == nil {
		t.Error("9 keywords in a vocabulary of 8 accepted")
	}
}
