package data

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Scope says which values of a tensor [N, ...] share one mean and one
// standard deviation in a Standardizer.
type Scope int

const (
	// PerFeature gives every position of a sample its own statistics, pooled
	// over the samples only: scikit-learn's StandardScaler on X reshaped to
	// [N,F]. It is the zero value.
	PerFeature Scope = iota
	// PerChannel pools over the samples and every axis after the second:
	// one pair per channel C of [N,C,H,W] images (torchvision's Normalize).
	PerChannel
	// PerLastAxis pools over every axis but the last: one pair per feature F
	// of [N,T,F] sequences.
	PerLastAxis
)

// Standardizer rescales features to zero mean and unit variance,
// z = (x - Mean) / Scale, as scikit-learn's StandardScaler: Mean and the
// population standard deviation (divisor N, not N-1) are computed, in
// float64, on the data given to FitStandardizer (the training split only),
// and a standard deviation below 10 * float64 epsilon is replaced by 1, so a
// constant feature maps to 0 instead of dividing by zero. It works on any
// float tensor [N, ...]: fit one on a regression split's Y to standardize the
// targets, and map predictions back with InverseTransform.
type Standardizer struct {
	// Scope is how the statistics were pooled.
	Scope Scope
	// SampleShape is the shape of one sample of the fitted data.
	SampleShape tensor.Shape
	// Mean and Scale hold one value per group of Scope: per feature, per
	// channel or per last-axis index.
	Mean, Scale []float64
}

// FitStandardizer computes the per-group mean and scale of x [N, ...]
// (float64 or float32), grouped as scope says. Use it on the training
// inputs only, then Transform every split with it (StandardizeSplits).
func FitStandardizer(x *tensor.Dense, scope Scope) (*Standardizer, error) {
	if x == nil || !isFloatDtype(x.Dtype()) || x.Dims() < 2 {
		return nil, errors.New("data: FitStandardizer: x must be a float tensor [N, ...] of rank >= 2")
	}
	x = contiguous(x)
	s := &Standardizer{Scope: scope, SampleShape: x.Shape()[1:].Clone()}
	groups, err := s.groups()
	if err != nil {
		return nil, err
	}
	vals := float64sOf(x)
	sum, count := make([]float64, groups), make([]float64, groups)
	s.each(len(vals), func(i, g int) { sum[g] += vals[i]; count[g]++ })
	s.Mean = make([]float64, groups)
	for g := range sum {
		if s.Mean[g] = sum[g] / count[g]; !isFinite(s.Mean[g]) {
			return nil, errors.Errorf("data: FitStandardizer: the mean of group %d is not finite (NaN or Inf in x?)", g)
		}
	}
	sq := make([]float64, groups)
	s.each(len(vals), func(i, g int) { d := vals[i] - s.Mean[g]; sq[g] += d * d })
	s.Scale = make([]float64, groups)
	for g := range sq {
		s.Scale[g] = math.Sqrt(sq[g] / count[g])
		if s.Scale[g] < 10*eps64 || !isFinite(s.Scale[g]) {
			s.Scale[g] = 1
		}
	}
	return s, nil
}

// eps64 is the float64 machine epsilon, numpy's finfo(float64).eps.
const eps64 = 0x1p-52

// groups returns the number of statistics groups of the scope.
func (s *Standardizer) groups() (int, error) {
	switch s.Scope {
	case PerFeature:
		return s.SampleShape.TotalSize(), nil
	case PerChannel:
		return s.SampleShape[0], nil
	case PerLastAxis:
		return s.SampleShape[len(s.SampleShape)-1], nil
	}
	return 0, errors.Errorf("data: Standardizer: unknown scope %d", s.Scope)
}

// each calls f(i, g) for every flat index i < n of a tensor of samples of
// SampleShape, g being the group of i.
func (s *Standardizer) each(n int, f func(i, g int)) {
	per := s.SampleShape.TotalSize()
	switch s.Scope {
	case PerFeature:
		for i := range n {
			f(i, i%per)
		}
	case PerChannel:
		inner := per / s.SampleShape[0]
		for i := range n {
			f(i, (i%per)/inner)
		}
	case PerLastAxis:
		last := s.SampleShape[len(s.SampleShape)-1]
		for i := range n {
			f(i, i%last)
		}
	}
}

// check verifies that x is a float tensor of samples of s.SampleShape.
func (s *Standardizer) check(x *tensor.Dense) error {
	if x == nil || !isFloatDtype(x.Dtype()) || x.Dims() < 2 || !x.Shape()[1:].Eq(s.SampleShape) {
		var shape tensor.Shape
		if x != nil {
			shape = x.Shape()
		}
		return errors.Errorf("data: Standardizer fitted on samples %v cannot transform %v", s.SampleShape, shape)
	}
	return nil
}

// TransformInPlace standardizes x in place: x = (x - Mean) / Scale.
func (s *Standardizer) TransformInPlace(x *tensor.Dense) error {
	return s.apply(x, func(v float64, g int) float64 { return (v - s.Mean[g]) / s.Scale[g] })
}

// InverseTransformInPlace undoes TransformInPlace: x = x * Scale + Mean.
func (s *Standardizer) InverseTransformInPlace(x *tensor.Dense) error {
	return s.apply(x, func(v float64, g int) float64 { return v*s.Scale[g] + s.Mean[g] })
}

// Transform returns a standardized copy of x.
func (s *Standardizer) Transform(x *tensor.Dense) (*tensor.Dense, error) {
	if err := s.check(x); err != nil {
		return nil, err
	}
	out := contiguous(x).Clone().(*tensor.Dense)
	return out, s.TransformInPlace(out)
}

// InverseTransform returns a copy of x mapped back to the original units.
func (s *Standardizer) InverseTransform(x *tensor.Dense) (*tensor.Dense, error) {
	if err := s.check(x); err != nil {
		return nil, err
	}
	out := contiguous(x).Clone().(*tensor.Dense)
	return out, s.InverseTransformInPlace(out)
}

// apply replaces every value v of x, of group g, by f(v, g).
func (s *Standardizer) apply(x *tensor.Dense, f func(v float64, g int) float64) error {
	if err := s.check(x); err != nil {
		return err
	}
	if x.IsView() || x.RequiresIterator() {
		return errors.New("data: Standardizer: cannot transform a view in place")
	}
	if x.Dtype() == tensor.Float64 {
		v := x.Float64s()
		s.each(len(v), func(i, g int) { v[i] = f(v[i], g) })
		return nil
	}
	v := x.Float32s()
	s.each(len(v), func(i, g int) { v[i] = float32(f(float64(v[i]), g)) })
	return nil
}

// Apply returns a copy of d whose X is standardized; Y is shared.
func (s *Standardizer) Apply(d *Dataset) (*Dataset, error) {
	if err := d.checkShape(); err != nil {
		return nil, err
	}
	x, err := s.Transform(d.X)
	if err != nil {
		return nil, errors.Wrapf(err, "dataset %q", d.Name)
	}
	return d.with(d.Name, x, d.Y), nil
}

// StandardizeSplits fits a Standardizer on sp.Train's inputs only and
// applies it to every split, the way to avoid leaking validation or test
// statistics into training. Nil splits stay nil.
func StandardizeSplits(sp Splits, scope Scope) (Splits, *Standardizer, error) {
	if sp.Train == nil {
		return Splits{}, nil, errors.New("data: StandardizeSplits: no training split")
	}
	s, err := FitStandardizer(sp.Train.X, scope)
	if err != nil {
		return Splits{}, nil, errors.Wrapf(err, "dataset %q", sp.Train.Name)
	}
	var out Splits
	for _, p := range []struct{ in, out **Dataset }{{&sp.Train, &out.Train}, {&sp.Val, &out.Val}, {&sp.Test, &out.Test}} {
		if *p.in == nil {
			continue
		}
		if *p.out, err = s.Apply(*p.in); err != nil {
			return Splits{}, nil, err
		}
	}
	return out, s, nil
}
