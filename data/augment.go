package data

import (
	"math/rand/v2"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// The augmentations draw from a caller's *rand.Rand (NewRand(seed) for a
// reproducible stream) and come in two forms: F returns a new tensor and
// leaves x alone; FInPlace changes x, typically a Batcher's batch, without
// allocating. The image ones take [N,C,H,W] (or [N,H,W]) float tensors and
// treat the last two axes as height and width.

// AddGaussianNoise returns x + std * N(0,1), drawn independently for every
// value of the float tensor x.
func AddGaussianNoise(x *tensor.Dense, std float64, rng *rand.Rand) (*tensor.Dense, error) {
	return applyCopy(x, func(c *tensor.Dense) error { return AddGaussianNoiseInPlace(c, std, rng) })
}

// AddGaussianNoiseInPlace adds std * N(0,1) to every value of x.
func AddGaussianNoiseInPlace(x *tensor.Dense, std float64, rng *rand.Rand) error {
	if err := checkAugment("AddGaussianNoise", x, 1, rng); err != nil {
		return err
	}
	if !(std >= 0) || !isFinite(std) {
		return errors.Errorf("data: AddGaussianNoise: std %v must be finite and >= 0", std)
	}
	if x.Dtype() == tensor.Float64 {
		addNormal(x.Float64s(), std, rng)
	} else {
		addNormal(x.Float32s(), std, rng)
	}
	return nil
}

// addNormal adds std * N(0,1) to every value of v.
func addNormal[T float](v []T, std float64, rng *rand.Rand) {
	for i := range v {
		v[i] += T(std * rng.NormFloat64())
	}
}

// RandomShift returns a copy of the images x translated by a random whole
// number of pixels, drawn for each sample (the same for all its channels)
// uniformly from [-maxShift, maxShift] along each of the height and width
// axes, with zeros filling the pixels uncovered (torchvision's
// RandomAffine(translate=...) with fill 0, in whole pixels).
func RandomShift(x *tensor.Dense, maxShift int, rng *rand.Rand) (*tensor.Dense, error) {
	return applyCopy(x, func(c *tensor.Dense) error { return RandomShiftInPlace(c, maxShift, rng) })
}

// RandomShiftInPlace shifts the images x in place; see RandomShift.
func RandomShiftInPlace(x *tensor.Dense, maxShift int, rng *rand.Rand) error {
	if err := checkAugment("RandomShift", x, 3, rng); err != nil {
		return err
	}
	if maxShift < 0 {
		return errors.Errorf("data: RandomShift: maxShift %d < 0", maxShift)
	}
	n, planes, h, w := imageDims(x)
	for i := range n {
		dy, dx := rng.IntN(2*maxShift+1)-maxShift, rng.IntN(2*maxShift+1)-maxShift
		for p := i * planes; p < (i+1)*planes; p++ {
			if x.Dtype() == tensor.Float64 {
				shiftPlane(x.Float64s()[p*h*w:(p+1)*h*w], h, w, dy, dx)
			} else {
				shiftPlane(x.Float32s()[p*h*w:(p+1)*h*w], h, w, dy, dx)
			}
		}
	}
	return nil
}

// shiftPlane moves the h x w image p by dy rows down and dx columns right
// (negative: up, left), in place, filling with zeros. Rows are visited so
// that each source row is read before it is overwritten.
func shiftPlane[T float](p []T, h, w, dy, dx int) {
	for k := range h {
		r := k
		if dy > 0 {
			r = h - 1 - k
		}
		dst, src := p[r*w:(r+1)*w], r-dy
		switch {
		case src < 0 || src >= h || dx >= w || -dx >= w:
			clear(dst)
		case dx >= 0:
			copy(dst[dx:], p[src*w:src*w+w-dx])
			clear(dst[:dx])
		default:
			copy(dst[:w+dx], p[src*w-dx:(src+1)*w])
			clear(dst[w+dx:])
		}
	}
}

// RandomHorizontalFlip returns a copy of the images x in which each sample
// (all its channels) is mirrored left-right with probability p
// (torchvision's RandomHorizontalFlip(p)). One uniform draw is made per
// sample.
func RandomHorizontalFlip(x *tensor.Dense, p float64, rng *rand.Rand) (*tensor.Dense, error) {
	return applyCopy(x, func(c *tensor.Dense) error { return RandomHorizontalFlipInPlace(c, p, rng) })
}

// RandomHorizontalFlipInPlace flips the images x in place; see
// RandomHorizontalFlip.
func RandomHorizontalFlipInPlace(x *tensor.Dense, p float64, rng *rand.Rand) error {
	if err := checkAugment("RandomHorizontalFlip", x, 3, rng); err != nil {
		return err
	}
	if !(p >= 0 && p <= 1) {
		return errors.Errorf("data: RandomHorizontalFlip: probability %v outside [0,1]", p)
	}
	n, planes, h, w := imageDims(x)
	for i := range n {
		if rng.Float64() >= p {
			continue
		}
		lo, hi := i*planes*h*w, (i+1)*planes*h*w
		if x.Dtype() == tensor.Float64 {
			flipRows(x.Float64s()[lo:hi], w)
		} else {
			flipRows(x.Float32s()[lo:hi], w)
		}
	}
	return nil
}

// flipRows reverses every row of w values of v.
func flipRows[T float](v []T, w int) {
	for r := 0; r < len(v); r += w {
		row := v[r : r+w]
		for a, b := 0, w-1; a < b; a, b = a+1, b-1 {
			row[a], row[b] = row[b], row[a]
		}
	}
}

// imageDims returns the samples, planes per sample, height and width of x.
func imageDims(x *tensor.Dense) (n, planes, h, w int) {
	s := x.Shape()
	n, h, w = s[0], s[len(s)-2], s[len(s)-1]
	return n, s.TotalSize() / (n * h * w), h, w
}

// checkAugment verifies that x is a contiguous float tensor of rank >= minRank
// and that the augmentation has a random stream rng to draw from.
func checkAugment(op string, x *tensor.Dense, minRank int, rng *rand.Rand) error {
	if x == nil || !isFloatDtype(x.Dtype()) || x.Dims() < minRank {
		return errors.Errorf("data: %s: need a float tensor of rank >= %d", op, minRank)
	}
	if x.IsView() || x.RequiresIterator() {
		return errors.Errorf("data: %s: cannot change a view in place", op)
	}
	if rng == nil {
		return errors.Errorf("data: %s: nil rng (use data.NewRand(seed))", op)
	}
	return nil
}

// applyCopy runs an in-place augmentation on a contiguous copy of x.
func applyCopy(x *tensor.Dense, f func(*tensor.Dense) error) (*tensor.Dense, error) {
	if x == nil {
		return nil, errors.New("data: augmentation of a nil tensor")
	}
	c := contiguous(x).Clone().(*tensor.Dense)
	if err := f(c); err != nil {
		return nil, err
	}
	return c, nil
}

// AugmentConfig configures an Augmenter. Each zero field disables its step.
type AugmentConfig struct {
	// MaxShift is RandomShift's maximum shift in pixels.
	MaxShift int
	// FlipProb is RandomHorizontalFlip's probability.
	FlipProb float64
	// NoiseStd is AddGaussianNoise's standard deviation.
	NoiseStd float64
}

// Augmenter applies, in order, a random shift, a random horizontal flip and
// Gaussian noise, drawing from its own NewRand(seed) stream: the same seed
// and the same sequence of calls give the same augmented batches.
type Augmenter struct {
	cfg AugmentConfig
	rng *rand.Rand
}

// NewAugmenter returns an Augmenter for cfg seeded with seed.
func NewAugmenter(cfg AugmentConfig, seed uint64) (*Augmenter, error) {
	if cfg.MaxShift < 0 || !(cfg.FlipProb >= 0 && cfg.FlipProb <= 1) || !(cfg.NoiseStd >= 0) || !isFinite(cfg.NoiseStd) {
		return nil, errors.Errorf("data: NewAugmenter: invalid config %+v", cfg)
	}
	return &Augmenter{cfg: cfg, rng: NewRand(seed)}, nil
}

// ApplyInPlace augments x (for shifts and flips, images) in place without
// allocating: made for a Batcher's batch, which the next Next overwrites.
func (a *Augmenter) ApplyInPlace(x *tensor.Dense) error {
	if a.cfg.MaxShift > 0 {
		if err := RandomShiftInPlace(x, a.cfg.MaxShift, a.rng); err != nil {
			return err
		}
	}
	if a.cfg.FlipProb > 0 {
		if err := RandomHorizontalFlipInPlace(x, a.cfg.FlipProb, a.rng); err != nil {
			return err
		}
	}
	if a.cfg.NoiseStd > 0 {
		return AddGaussianNoiseInPlace(x, a.cfg.NoiseStd, a.rng)
	}
	return nil
}

// Apply returns an augmented copy of x.
func (a *Augmenter) Apply(x *tensor.Dense) (*tensor.Dense, error) {
	return applyCopy(x, a.ApplyInPlace)
}
