package data

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/pkg/errors"
)

// SplitConfig configures Split. Its zero value puts every sample in the
// training split.
type SplitConfig struct {
	// Val and Test are the fractions of the samples in the validation and
	// test splits; the training split gets the rest. Each split receives
	// ceil(fraction * N) samples (scikit-learn's train_test_split rounding for
	// test_size), and the training split must keep at least one.
	Val, Test float64
	// Seed seeds the shuffle (NewRand(Seed)): the same seed gives the same
	// splits.
	Seed uint64
	// Stratify keeps each class's proportion in every split (scikit-learn's
	// stratify=y): the split sizes are shared out over the classes by largest
	// remainder, so each class's count is within one of its exact share.
	// It needs int64 class indices.
	Stratify bool
	// Sequential keeps the original order, without shuffling: train gets the
	// first samples, then val, then test (for time series). It cannot be
	// combined with Stratify.
	Sequential bool
}

// Splits holds the three parts of a dataset. A split whose fraction is 0 is
// nil. Their names are the dataset's name with "/train", "/val", "/test".
type Splits struct {
	// Train is the training split, Val the validation split and Test the
	// test split.
	Train, Val, Test *Dataset
}

// Split partitions d into training, validation and test sets (copies). With
// shuffling (the default) the samples of each split are in random order.
func Split(d *Dataset, cfg SplitConfig) (Splits, error) {
	if err := d.checkShape(); err != nil {
		return Splits{}, err
	}
	n := d.Len()
	nVal, nTest, err := splitSizes(d.Name, n, cfg)
	if err != nil {
		return Splits{}, err
	}
	if cfg.Stratify && !d.IsClassification() {
		return Splits{}, errors.Errorf("data: dataset %q: Stratify needs int64 class indices, Y is %v", d.Name, d.Y.Dtype())
	}
	if cfg.Stratify {
		if err := d.Validate(); err != nil { // negative labels would index out of range
			return Splits{}, err
		}
	}
	rng := NewRand(cfg.Seed)
	var parts [3][]int
	switch {
	case cfg.Stratify:
		parts = stratifiedParts(d.Y.Int64s(), d.NumClasses(), nVal, nTest, rng)
	case cfg.Sequential:
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		parts = [3][]int{order[:n-nVal-nTest], order[n-nVal-nTest : n-nTest], order[n-nTest:]}
	default:
		order := make([]int, n)
		shuffleInts(order, rng)
		parts = [3][]int{order[:n-nVal-nTest], order[n-nVal-nTest : n-nTest], order[n-nTest:]}
	}
	var out [3]*Dataset
	for i, suffix := range []string{"/train", "/val", "/test"} {
		if len(parts[i]) == 0 {
			continue
		}
		if out[i], err = d.Subset(d.Name+suffix, parts[i]); err != nil {
			return Splits{}, err
		}
	}
	return Splits{Train: out[0], Val: out[1], Test: out[2]}, nil
}

// splitSizes checks cfg and returns the sizes of the val and test splits.
func splitSizes(name string, n int, cfg SplitConfig) (nVal, nTest int, err error) {
	for _, f := range []float64{cfg.Val, cfg.Test} {
		if !(f >= 0 && f < 1) {
			return 0, 0, errors.Errorf("data: dataset %q: split fraction %v outside [0,1)", name, f)
		}
	}
	if cfg.Stratify && cfg.Sequential {
		return 0, 0, errors.Errorf("data: dataset %q: Stratify needs shuffling, not Sequential", name)
	}
	nVal = int(math.Ceil(cfg.Val*float64(n) - 1e-9))
	nTest = int(math.Ceil(cfg.Test*float64(n) - 1e-9))
	if n-nVal-nTest < 1 {
		return 0, 0, errors.Errorf("data: dataset %q: fractions val %v and test %v of %d samples leave no training sample", name, cfg.Val, cfg.Test, n)
	}
	return nVal, nTest, nil
}

// stratifiedParts shares nTest and nVal samples out over the classes in
// proportion to their counts and returns the shuffled train, val and test
// index lists.
func stratifiedParts(labels []int64, classes, nVal, nTest int, rng *rand.Rand) [3][]int {
	byClass := make([][]int, classes)
	for i, c := range labels {
		byClass[c] = append(byClass[c], i)
	}
	counts := make([]int, classes)
	for c, idx := range byClass {
		permuteInts(idx, rng)
		counts[c] = len(idx)
	}
	testCounts := apportion(nTest, counts, counts)
	left := make([]int, classes)
	for c := range left {
		left[c] = counts[c] - testCounts[c]
	}
	valCounts := apportion(nVal, counts, left)
	var parts [3][]int
	for c, idx := range byClass {
		t, v := testCounts[c], valCounts[c]
		parts[2] = append(parts[2], idx[:t]...)
		parts[1] = append(parts[1], idx[t:t+v]...)
		parts[0] = append(parts[0], idx[t+v:]...)
	}
	for _, p := range parts {
		permuteInts(p, rng)
	}
	return parts
}

// apportion shares total over classes in proportion to weights by largest
// remainder (ties to the lower class), giving class c at most avail[c].
func apportion(total int, weights, avail []int) []int {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	out := make([]int, len(weights))
	if sum == 0 {
		return out
	}
	type rem struct {
		c    int
		frac float64
	}
	rems := make([]rem, len(weights))
	given := 0
	for c, w := range weights {
		exact := float64(total) * float64(w) / float64(sum)
		out[c] = min(int(exact), avail[c])
		given += out[c]
		rems[c] = rem{c, exact - float64(out[c])}
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return cmp.Compare(b.frac, a.frac) })
	for given < total {
		progress := false
		for _, r := range rems {
			if given < total && out[r.c] < avail[r.c] {
				out[r.c]++
				given++
				progress = true
			}
		}
		if !progress {
			break
		}
	}
	return out
}
