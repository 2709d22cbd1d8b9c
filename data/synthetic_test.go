package data

import (
	"fmt"
	"math"
	"math/cmplx"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// goldenPoints is one noise-free, unshuffled generator output of sklearn.
type goldenPoints struct {
	X      []float64
	Y      []float64
	Factor float64
}

// labels returns the golden labels as int64.
func (g goldenPoints) labels() []int64 {
	out := make([]int64, len(g.Y))
	for i, v := range g.Y {
		out[i] = int64(v)
	}
	return out
}

// TestMoonsCirclesMatchSklearn compares the geometry with make_moons and
// make_circles (shuffle=False, noise=None), then checks that the public,
// shuffled generators hold the same points with the same labels.
func TestMoonsCirclesMatchSklearn(t *testing.T) {
	var g map[string]goldenPoints
	readGolden(t, "generators.json", &g)
	for name, want := range g {
		var x []float64
		var y []int64
		var d *Dataset
		var err error
		n := len(want.Y)
		switch {
		case name[:5] == "moons":
			x, y = moonsPoints(n)
			d, err = TwoMoons(n, 0, 1)
		case name[:7] == "circles":
			x, y = circlesPoints(n, want.Factor)
			d, err = Circles(n, want.Factor, 0, 1)
		default:
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, name, x, want.X, 1e-15)
		if !slices.Equal(y, want.labels()) {
			t.Fatalf("%s labels %v, want %v", name, y, want.Y)
		}
		if got, wantSet := pointSet(d.X.Float64s(), d.Y.Int64s()), pointSet(want.X, want.labels()); !slices.Equal(got, wantSet) {
			t.Fatalf("%s: shuffled points %v, want %v", name, got, wantSet)
		}
	}
}

// pointSet returns the sorted "x,y:label" strings of 2-D points.
func pointSet(x []float64, y []int64) []string {
	s := make([]string, len(y))
	for i := range y {
		s[i] = fmt.Sprintf("%.12f,%.12f:%d", x[2*i]+0, x[2*i+1]+0, y[i])
	}
	slices.Sort(s)
	return s
}

func TestFriedman1MatchesSklearnFormula(t *testing.T) {
	var g map[string]goldenPoints
	readGolden(t, "generators.json", &g)
	pts, want := g["friedman1"].X, g["friedman1"].Y
	for i := range want {
		if got := friedman1Target(pts[5*i:]); math.Abs(got-want[i]) > 1e-12 {
			t.Fatalf("f(%v) = %v, want %v", pts[5*i:5*i+5], got, want[i])
		}
	}
	d, err := Friedman1(20, 7, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if x := sampleOf(d, i); math.Abs(d.Y.Float64s()[i]-friedman1Target(x)) > 1e-12 || slices.Max(x) >= 1 || slices.Min(x) < 0 {
			t.Fatalf("row %d: y does not follow the formula", i)
		}
	}
}

// TestGeneratorShapesAndSeeds checks every generator's shapes and dtypes,
// that a seed reproduces its data exactly, and that another seed does not.
func TestGeneratorShapesAndSeeds(t *testing.T) {
	cases := []struct {
		name    string
		gen     func(seed uint64) (*Dataset, error)
		x, y    tensor.Shape
		classes int
	}{
		{"moons", func(s uint64) (*Dataset, error) { return TwoMoons(101, 0.1, s) }, tensor.Shape{101, 2}, tensor.Shape{101}, 2},
		{"circles", func(s uint64) (*Dataset, error) { return Circles(100, 0.5, 0.05, s) }, tensor.Shape{100, 2}, tensor.Shape{100}, 2},
		{"spirals", func(s uint64) (*Dataset, error) { return Spirals(100, 3, 0.2, s) }, tensor.Shape{100, 2}, tensor.Shape{100}, 3},
		{"xor", func(s uint64) (*Dataset, error) { return XOR(64, 0.1, s) }, tensor.Shape{64, 2}, tensor.Shape{64}, 2},
		{"blobs", func(s uint64) (*Dataset, error) { return Blobs(50, 4, 3, 1, s) }, tensor.Shape{50, 4}, tensor.Shape{50}, 3},
		{"linear", func(s uint64) (*Dataset, error) {
			d, _, err := LinearRegression(LinearRegressionConfig{N: 30, Features: 5, Targets: 2, Noise: 1, Seed: s})
			return d, err
		}, tensor.Shape{30, 5}, tensor.Shape{30, 2}, 0},
		{"sine", func(s uint64) (*Dataset, error) { return SineRegression(40, 0.1, s) }, tensor.Shape{40, 1}, tensor.Shape{40, 1}, 0},
		{"friedman1", func(s uint64) (*Dataset, error) { return Friedman1(32, 100, 1, s) }, tensor.Shape{32, 100}, tensor.Shape{32, 1}, 0},
		{"running-sum", func(s uint64) (*Dataset, error) { return RunningSum(8, 20, 32, 0.01, s) }, tensor.Shape{8, 20, 32}, tensor.Shape{8, 1}, 0},
		{"sine-continuation", func(s uint64) (*Dataset, error) { return SineContinuation(8, 15, 0.05, s) }, tensor.Shape{8, 15, 1}, tensor.Shape{8, 1}, 0},
		{"sequence-patterns", func(s uint64) (*Dataset, error) { return SequencePatterns(10, 20, 32, 5, 0.3, s) }, tensor.Shape{10, 20, 32}, tensor.Shape{10}, 5},
		{"shapes", func(s uint64) (*Dataset, error) { return Shapes(ShapesConfig{N: 12, Noise: 0.1, Seed: s}) }, tensor.Shape{12, 1, 28, 28}, tensor.Shape{12}, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := c.gen(7)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := c.gen(7)
			o, _ := c.gen(8)
			if !a.X.Shape().Eq(c.x) || !a.Y.Shape().Eq(c.y) || a.Dtype() != tensor.Float64 || a.Name != c.name {
				t.Fatalf("got %v", a)
			}
			if err := a.Validate(); err != nil {
				t.Fatal(err)
			}
			if c.classes > 0 && (a.NumClasses() != c.classes || len(a.ClassNames) != c.classes) {
				t.Fatalf("%d classes %v, want %d", a.NumClasses(), a.ClassNames, c.classes)
			}
			if !slices.Equal(a.X.Float64s(), b.X.Float64s()) || slices.Equal(a.X.Float64s(), o.X.Float64s()) {
				t.Fatal("X is not a function of the seed")
			}
		})
	}
}

func TestGeneratorErrors(t *testing.T) {
	errs := []error{
		func() error { _, err := TwoMoons(0, 0.1, 1); return err }(),
		func() error { _, err := TwoMoons(10, -1, 1); return err }(),
		func() error { _, err := TwoMoons(10, math.NaN(), 1); return err }(),
		func() error { _, err := Circles(10, 1, 0, 1); return err }(),
		func() error { _, err := Spirals(10, 1, 0, 1); return err }(),
		func() error { _, err := Blobs(10, 2, 11, 1, 1); return err }(),
		func() error { _, err := Friedman1(10, 4, 0, 1); return err }(),
		func() error { _, err := SequencePatterns(10, 8, 2, 5, 0, 1); return err }(),
		func() error { _, err := Shapes(ShapesConfig{N: 2, Classes: 7}); return err }(),
		func() error { _, err := Shapes(ShapesConfig{N: 2, Size: 5}); return err }(),
		func() error { _, err := RunningSum(1<<20, 1<<10, 1<<10, 0, 1); return err }(),
		func() error {
			_, _, err := LinearRegression(LinearRegressionConfig{N: 5, Features: 2, Informative: 3})
			return err
		}(),
	}
	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}

// TestLinearRegressionIsLinear checks Y = X w + b against tensor's MatMul,
// and that only Informative weights are non-zero.
func TestLinearRegressionIsLinear(t *testing.T) {
	d, w, err := LinearRegression(LinearRegressionConfig{N: 20, Features: 6, Informative: 2, Targets: 3, Bias: 1.5, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	xw, err := tensor.MatMul(d.X, w)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(xw.Data().([]float64))
	for i := range want {
		want[i] += 1.5
	}
	assertClose(t, "Y", d.Y.Float64s(), want, 1e-12)
	nonZero := 0
	for _, v := range w.Float64s() {
		if v != 0 {
			nonZero++
			if v < 0 || v >= 100 {
				t.Fatalf("weight %v outside [0,100)", v)
			}
		}
	}
	if nonZero != 2*3 {
		t.Fatalf("%d non-zero weights, want 6", nonZero)
	}
}

func TestXORAndRunningSumTargets(t *testing.T) {
	d, _ := XOR(200, 0, 3)
	x := d.X.Float64s()
	for i, c := range d.Y.Int64s() {
		if (x[2*i]*x[2*i+1] < 0) != (c == 1) || math.Abs(x[2*i]) > 1 {
			t.Fatalf("point %v labelled %d", x[2*i:2*i+2], c)
		}
	}
	r, _ := RunningSum(5, 4, 3, 0, 3)
	for i := range 5 {
		sum := 0.0
		for _, v := range sampleOf(r, i) {
			sum += v
		}
		if math.Abs(r.Y.Float64s()[i]*math.Sqrt(12)-sum) > 1e-12 {
			t.Fatalf("sample %d: y %v, sum %v", i, r.Y.Float64s()[i], sum)
		}
	}
}

// TestSineContinuationTarget checks the target with the sine recurrence
// s[t+1] = 2 cos(w) s[t] - s[t-1], estimating cos(w) from the sequence.
func TestSineContinuationTarget(t *testing.T) {
	d, err := SineContinuation(20, 10, 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		s := sampleOf(d, i)
		k := 1 // a middle step with s[k] far from 0
		for j := 2; j < 9; j++ {
			if math.Abs(s[j]) > math.Abs(s[k]) {
				k = j
			}
		}
		twoCos := (s[k+1] + s[k-1]) / s[k]
		if next := twoCos*s[9] - s[8]; math.Abs(next-d.Y.Float64s()[i]) > 1e-9 {
			t.Fatalf("sample %d: y %v, recurrence %v", i, d.Y.Float64s()[i], next)
		}
	}
}

// TestSequencePatternsFrequency checks with a DFT that each noise-free
// sequence's dominant frequency is its class + 1 cycles.
func TestSequencePatternsFrequency(t *testing.T) {
	const steps, features = 20, 3
	d, err := SequencePatterns(30, steps, features, 5, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.ClassCounts(), []int{6, 6, 6, 6, 6}) || d.ClassNames[1] != "2 cycles" {
		t.Fatalf("counts %v names %v", d.ClassCounts(), d.ClassNames)
	}
	for i, c := range d.Y.Int64s() {
		s := sampleOf(d, i)
		for f := range features {
			best, bestPow := 0, 0.0
			for k := 1; k <= steps/2; k++ {
				var z complex128
				for tt := range steps {
					z += complex(s[tt*features+f], 0) * cmplx.Exp(complex(0, -2*math.Pi*float64(k*tt)/steps))
				}
				if p := cmplx.Abs(z); p > bestPow {
					best, bestPow = k, p
				}
			}
			if best != int(c)+1 {
				t.Fatalf("sample %d feature %d: dominant %d cycles, class %d", i, f, best, c)
			}
		}
	}
}

func TestShapesImages(t *testing.T) {
	d, err := Shapes(ShapesConfig{N: 60, Classes: 6, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.ClassCounts(), []int{10, 10, 10, 10, 10, 10}) || d.ClassNames[5] != "diamond" {
		t.Fatalf("counts %v names %v", d.ClassCounts(), d.ClassNames)
	}
	for i := range d.Len() {
		ink, border := 0.0, 0.0
		for k, v := range sampleOf(d, i) {
			if v < 0 || v > 1 {
				t.Fatalf("pixel %v", v)
			}
			ink += v
			if r, c := k/28, k%28; r == 0 || c == 0 || r == 27 || c == 27 {
				border += v
			}
		}
		if ink < 15 || border != 0 {
			t.Fatalf("image %d: ink %v, border %v", i, ink, border)
		}
	}
	noisy, _ := Shapes(ShapesConfig{N: 4, Size: 16, Noise: 0.2, Seed: 1})
	if !noisy.X.Shape().Eq(tensor.Shape{4, 1, 16, 16}) {
		t.Fatalf("shape %v", noisy.X.Shape())
	}
}
