package data

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// splitIDs returns the sample ids (X[i,0] / 2 of mustDataset(n, k, 2)) of a split.
func splitIDs(d *Dataset) []int {
	if d == nil {
		return nil
	}
	ids := make([]int, d.Len())
	for i := range ids {
		ids[i] = int(d.X.Float64s()[2*i]) / 2
	}
	return ids
}

func TestSplitSizesAndPartition(t *testing.T) {
	cases := []struct {
		n                 int
		val, test         float64
		wTrain, wVal, wTe int
	}{
		{100, 0.1, 0.2, 70, 10, 20},
		{10, 0.25, 0.25, 4, 3, 3}, // ceil, as sklearn's test_size
		{7, 0, 0.3, 4, 0, 3},
		{5, 0, 0, 5, 0, 0},
		{3, 0.1, 0.1, 1, 1, 1},
	}
	for _, c := range cases {
		for _, strat := range []bool{false, true} {
			t.Run(fmt.Sprintf("n=%d/%v/%v/strat=%v", c.n, c.val, c.test, strat), func(t *testing.T) {
				d := mustDataset(t, c.n, 2, 2)
				sp, err := Split(d, SplitConfig{Val: c.val, Test: c.test, Seed: 9, Stratify: strat})
				if err != nil {
					t.Fatal(err)
				}
				tr, va, te := splitIDs(sp.Train), splitIDs(sp.Val), splitIDs(sp.Test)
				if len(tr) != c.wTrain || len(va) != c.wVal || len(te) != c.wTe {
					t.Fatalf("sizes %d/%d/%d, want %d/%d/%d", len(tr), len(va), len(te), c.wTrain, c.wVal, c.wTe)
				}
				all := slices.Sorted(slices.Values(slices.Concat(tr, va, te)))
				if !isRange(all) {
					t.Fatalf("not a partition: %v", all)
				}
				if sp.Train.Name != "test/train" || (c.wTe > 0 && sp.Test.Name != "test/test") {
					t.Fatalf("names %q", sp.Train.Name)
				}
				for _, s := range []*Dataset{sp.Train, sp.Val, sp.Test} {
					for i, id := range splitIDs(s) {
						if s.Y.Int64s()[i] != int64(id%2) {
							t.Fatalf("label of sample %d moved", id)
						}
					}
				}
			})
		}
	}
}

func TestSplitIsSeeded(t *testing.T) {
	d := mustDataset(t, 50, 3, 2)
	cfg := SplitConfig{Val: 0.2, Test: 0.2, Seed: 5}
	a, _ := Split(d, cfg)
	b, _ := Split(d, cfg)
	cfg.Seed = 6
	c, _ := Split(d, cfg)
	if !slices.Equal(splitIDs(a.Train), splitIDs(b.Train)) || !slices.Equal(splitIDs(a.Test), splitIDs(b.Test)) {
		t.Fatal("same seed, different splits")
	}
	if slices.Equal(splitIDs(a.Train), splitIDs(c.Train)) {
		t.Fatal("different seeds, same split")
	}
}

func TestSplitStratifiedKeepsProportions(t *testing.T) {
	// 3 imbalanced classes: 60, 30 and 10 samples.
	labels := make([]int64, 100)
	for i := range labels {
		labels[i] = map[bool]int64{true: 0, false: 1}[i < 60]
		if i >= 90 {
			labels[i] = 2
		}
	}
	d, err := New("imb", denseF64(make([]float64, 200), 100, 2), denseI64(labels))
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(5) {
		sp, err := Split(d, SplitConfig{Val: 0.15, Test: 0.25, Seed: seed, Stratify: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []*Dataset{sp.Train, sp.Val, sp.Test} {
			counts := s.ClassCounts()
			for c, share := range []float64{0.6, 0.3, 0.1} {
				if math.Abs(float64(counts[c])-share*float64(s.Len())) > 1 {
					t.Fatalf("seed %d %s: class counts %v of %d", seed, s.Name, counts, s.Len())
				}
			}
		}
	}
}

func TestSplitSequentialKeepsOrder(t *testing.T) {
	sp, err := Split(mustDataset(t, 10, 0, 2), SplitConfig{Val: 0.2, Test: 0.3, Sequential: true})
	if err != nil {
		t.Fatal(err)
	}
	got := [][]int{splitIDs(sp.Train), splitIDs(sp.Val), splitIDs(sp.Test)}
	want := [][]int{{0, 1, 2, 3, 4}, {5, 6}, {7, 8, 9}}
	for i := range got {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("split %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestSplitErrors(t *testing.T) {
	reg, cls := mustDataset(t, 10, 0, 2), mustDataset(t, 10, 2, 2)
	cases := []struct {
		d    *Dataset
		cfg  SplitConfig
		want string
	}{
		{reg, SplitConfig{Test: -0.1}, "outside [0,1)"},
		{reg, SplitConfig{Test: 1}, "outside [0,1)"},
		{reg, SplitConfig{Test: math.NaN()}, "outside [0,1)"},
		{reg, SplitConfig{Val: 0.5, Test: 0.5}, "leave no training sample"},
		{reg, SplitConfig{Test: 0.2, Stratify: true}, "int64 class indices"},
		{cls, SplitConfig{Test: 0.2, Stratify: true, Sequential: true}, "Sequential"},
	}
	for _, c := range cases {
		_, err := Split(c.d, c.cfg)
		assertErrContains(t, err, c.want)
	}
}
