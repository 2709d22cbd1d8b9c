package train_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/internal/errtext"
)

// moons returns standardized two-moons train and validation sets with
// float 0/1 targets.
func moons(t testing.TB, n int, noise float64, seed uint64) (train, val *data.Dataset) {
	t.Helper()
	d, err := data.TwoMoons(n, noise, seed)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := data.Split(d, data.SplitConfig{Val: 0.25, Seed: seed, Stratify: true})
	if err != nil {
		t.Fatal(err)
	}
	sp, _, err = data.StandardizeSplits(sp, data.PerFeature)
	if err != nil {
		t.Fatal(err)
	}
	if train, err = sp.Train.FloatTargets(); err != nil {
		t.Fatal(err)
	}
	if val, err = sp.Val.FloatTargets(); err != nil {
		t.Fatal(err)
	}
	return train, val
}

// sameBits reports whether a and b are the same float64, bit for bit.
func sameBits(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

// equalFloats reports whether a and b hold the same float64s, bit for bit.
func equalFloats(a, b []float64) bool { return slices.EqualFunc(a, b, sameBits) }

// errorHas reports whether err is an error whose message contains every
// one of wants.
var errorHas = errtext.Has

// must returns v, or panics (failing the test) with err's stack.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("%+v", err))
	}
	return v
}
