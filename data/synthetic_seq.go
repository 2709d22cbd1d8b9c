package data

import (
	"math"
	"strconv"

	"github.com/pkg/errors"
)

// The sequence generators return inputs [N,T,F] (batch first, as PyTorch's
// LSTM(batch_first=True) takes them): N samples of T steps of F features.

// RunningSum returns a sequence-regression task, X [n,steps,features] and
// Y [n,1]: every value is drawn from U(-1,1) and the target is the sum of the
// whole sequence, scaled to unit order whatever its length,
//
//	y = (1/sqrt(steps*features)) * sum_t sum_f x[t,f] + noise * N(0,1)
//
// so Var(y) = 1/3 + noise^2. A model must accumulate over every step. The
// name is "running-sum".
func RunningSum(n, steps, features int, noise float64, seed uint64) (*Dataset, error) {
	if err := checkGen("RunningSum", n, noise, steps, features); err != nil {
		return nil, err
	}
	rng := NewRand(seed)
	per := steps * features
	x := make([]float64, n*per)
	y := make([]float64, n)
	scale := 1 / math.Sqrt(float64(per))
	for i := range n {
		s := 0.0
		for j := i * per; j < (i+1)*per; j++ {
			x[j] = 2*rng.Float64() - 1
			s += x[j]
		}
		y[i] = scale * s
	}
	addNoise(y, noise, rng)
	return regression("running-sum", x, y, 1, n, steps, features)
}

// SineContinuation returns a next-value prediction task, X [n,steps,1] and
// Y [n,1]: sample i is a sine wave with its own angular frequency w ~
// U(0.5,1.5) radians per step and phase p ~ U(0,2pi), observed with noise,
// and the target is its next, noise-free value:
//
//	x[t] = sin(w t + p) + noise * N(0,1),  t = 0..steps-1;   y = sin(w steps + p)
//
// The name is "sine-continuation".
func SineContinuation(n, steps int, noise float64, seed uint64) (*Dataset, error) {
	if err := checkGen("SineContinuation", n, noise, steps); err != nil {
		return nil, err
	}
	rng := NewRand(seed)
	x := make([]float64, n*steps)
	y := make([]float64, n)
	for i := range n {
		w, p := 0.5+rng.Float64(), 2*math.Pi*rng.Float64()
		for t := range steps {
			x[i*steps+t] = math.Sin(w*float64(t)+p) + noise*rng.NormFloat64()
		}
		y[i] = math.Sin(w*float64(steps) + p)
	}
	return regression("sine-continuation", x, y, 1, n, steps, 1)
}

// SequencePatterns returns a sequence-classification task, X
// [n,steps,features] and int64 labels [n]: class c (c < classes) is a sine of
// c+1 cycles over the sequence, each feature with its own random phase,
// buried in noise:
//
//	x[t,f] = sin(2pi (c+1) t / steps + p_f) + noise * N(0,1),  p_f ~ U(0,2pi)
//
// The classes are balanced (n/classes samples each, the first n mod classes
// one more) and shuffled; classes must be at least 2 and at most steps/2 (the
// Nyquist limit). Class names are "1 cycle", "2 cycles", ... The name is
// "sequence-patterns".
func SequencePatterns(n, steps, features, classes int, noise float64, seed uint64) (*Dataset, error) {
	if err := checkGen("SequencePatterns", n, noise, steps, features); err != nil {
		return nil, err
	}
	if classes < 2 || classes > steps/2 {
		return nil, errors.Errorf("data: SequencePatterns: %d classes for %d steps, want 2 <= classes <= steps/2", classes, steps)
	}
	rng := NewRand(seed)
	labels := balancedLabels(n, classes, rng)
	per := steps * features
	x := make([]float64, n*per)
	phase := make([]float64, features)
	for i, c := range labels {
		for f := range phase {
			phase[f] = 2 * math.Pi * rng.Float64()
		}
		omega := 2 * math.Pi * float64(c+1) / float64(steps)
		for t := range steps {
			for f, pf := range phase {
				x[i*per+t*features+f] = math.Sin(omega*float64(t)+pf) + noise*rng.NormFloat64()
			}
		}
	}
	names := make([]string, classes)
	for c := range names {
		names[c] = strconv.Itoa(c+1) + " cycles"
	}
	names[0] = "1 cycle"
	return classification("sequence-patterns", x, labels, names, n, steps, features)
}
