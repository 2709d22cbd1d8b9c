package data

import (
	"math"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// TestShiftPlane checks whole-pixel shifts of a 3x4 image against images
// written out by hand.
func TestShiftPlane(t *testing.T) {
	src := []float64{
		1, 2, 3, 4,
		5, 6, 7, 8,
		9, 10, 11, 12,
	}
	cases := []struct {
		dy, dx int
		want   []float64
	}{
		{0, 0, src},
		{1, 0, []float64{0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}},
		{-1, 0, []float64{5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 0}},
		{0, 2, []float64{0, 0, 1, 2, 0, 0, 5, 6, 0, 0, 9, 10}},
		{0, -1, []float64{2, 3, 4, 0, 6, 7, 8, 0, 10, 11, 12, 0}},
		{1, 1, []float64{0, 0, 0, 0, 0, 1, 2, 3, 0, 5, 6, 7}},
		{-2, -3, []float64{12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{0, 4, make([]float64, 12)},
		{3, 0, make([]float64, 12)},
	}
	for _, c := range cases {
		p := slices.Clone(src)
		shiftPlane(p, 3, 4, c.dy, c.dx)
		if !slices.Equal(p, c.want) {
			t.Errorf("shift (%d,%d) = %v, want %v", c.dy, c.dx, p, c.want)
		}
	}
}

func TestRandomShiftKeepsPixelsOrZeros(t *testing.T) {
	d := mustDataset(t, 20, 2, 2, 5, 5)
	x := d.X.Clone().(*tensor.Dense)
	out, err := RandomShift(x, 2, NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x.Float64s(), d.X.Float64s()) {
		t.Fatal("RandomShift changed its input")
	}
	moved := 0
	for i := range 20 {
		in, got := sampleOf(d, i), out.Float64s()[i*50:(i+1)*50]
		// find the shift that explains both channels
		found := false
		for dy := -2; dy <= 2 && !found; dy++ {
			for dx := -2; dx <= 2 && !found; dx++ {
				want := slices.Clone(in)
				shiftPlane(want[:25], 5, 5, dy, dx)
				shiftPlane(want[25:], 5, 5, dy, dx)
				found = slices.Equal(want, got)
				if found && (dy != 0 || dx != 0) {
					moved++
				}
			}
		}
		if !found {
			t.Fatalf("sample %d is not a shift of its input by at most 2", i)
		}
	}
	if moved < 10 {
		t.Fatalf("only %d of 20 samples moved", moved)
	}
}

func TestRandomHorizontalFlip(t *testing.T) {
	x := denseF64([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 1, 2, 3)
	all, err := RandomHorizontalFlip(x, 1, NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "flipped", all.Float64s(), []float64{3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}, 0)
	none, _ := RandomHorizontalFlip(x, 0, NewRand(1))
	assertClose(t, "kept", none.Float64s(), x.Float64s(), 0)
	d := mustDataset(t, 1000, 2, 1, 1, 2)
	if err := RandomHorizontalFlipInPlace(d.X, 0.3, NewRand(2)); err != nil {
		t.Fatal(err)
	}
	flipped := 0
	for i := range 1000 {
		if s := sampleOf(d, i); s[0] > s[1] {
			flipped++
		}
	}
	if flipped < 250 || flipped > 350 {
		t.Fatalf("%d of 1000 flipped with p=0.3", flipped)
	}
}

func TestAddGaussianNoise(t *testing.T) {
	x, _ := fromF64(make([]float64, 20000), tensor.Float32, 100, 200)
	out, err := AddGaussianNoise(x, 0.5, NewRand(3))
	if err != nil {
		t.Fatal(err)
	}
	sum, sq := 0.0, 0.0
	for _, v := range out.Float32s() {
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	mean, std := sum/20000, math.Sqrt(sq/20000)
	if math.Abs(mean) > 0.02 || math.Abs(std-0.5) > 0.02 || x.Float32s()[0] != 0 {
		t.Fatalf("noise mean %v std %v", mean, std)
	}
}

func TestAugmenterIsSeededAndAllocationFree(t *testing.T) {
	d, _ := Shapes(ShapesConfig{N: 8, Seed: 1})
	cfg := AugmentConfig{MaxShift: 3, FlipProb: 0.5, NoiseStd: 0.1}
	a1, err := NewAugmenter(cfg, 9)
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := NewAugmenter(cfg, 9)
	o1, _ := a1.Apply(d.X)
	o2, _ := a2.Apply(d.X)
	if !slices.Equal(o1.Float64s(), o2.Float64s()) || slices.Equal(o1.Float64s(), d.X.Float64s()) {
		t.Fatal("Augmenter is not a function of its seed")
	}
	b, _ := NewBatcher(d, BatchConfig{Size: 4})
	b.Next()
	if allocs := testing.AllocsPerRun(50, func() { a1.ApplyInPlace(b.X()) }); allocs != 0 {
		t.Fatalf("%v allocations per ApplyInPlace", allocs)
	}
}

func TestAugmentErrors(t *testing.T) {
	img := newDense(tensor.Float64, 2, 1, 4, 4)
	vec := newDense(tensor.Float64, 2, 4)
	rng := NewRand(1)
	errs := []error{
		RandomShiftInPlace(vec, 1, rng),
		RandomShiftInPlace(img, -1, rng),
		RandomHorizontalFlipInPlace(img, 1.5, rng),
		RandomHorizontalFlipInPlace(newDense(tensor.Int64, 2, 2, 2), 0.5, rng),
		AddGaussianNoiseInPlace(img, -1, rng),
		AddGaussianNoiseInPlace(nil, 1, rng),
	}
	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
	if _, err := NewAugmenter(AugmentConfig{FlipProb: 2}, 1); err == nil {
		t.Error("FlipProb 2 accepted")
	}
	if _, err := RandomShift(nil, 1, rng); err == nil {
		t.Error("nil accepted")
	}
	if err := AddGaussianNoiseInPlace(vec, 1, rng); err != nil {
		t.Errorf("noise on [N,F]: %v", err)
	}
}
