package models

import (
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// SampleBatch returns a random batch for the model, drawn from seed: x with
// elements from U(-1, 1) in the model's shape and dtype, and targets that
// suit the loss: int64 class indices uniform in [0, classes) for a
// CrossEntropy model, 0/1 labels for BCEWithLogits ("binary"), U(-1, 1) for
// MSE; y is nil for a model without targets (Y nil); a model with a
// vocabulary (Vocab > 0) gets int64 token ids uniform in [0, Vocab). It is
// for tests, benchmarks and gradient checks; real data comes from package
// data.
func (m *Model) SampleBatch(seed uint64) (x, y *tensor.Dense) {
	rng := NewRNG(seed)
	if m.Vocab > 0 {
		x = Tokens(rng, m.Vocab, m.X.Shape()...)
	} else {
		x = Uniform(rng, m.X.Dtype(), 1, m.X.Shape()...)
	}
	if m.Y == nil {
		return x, nil
	}
	ys := m.Y.Shape()
	switch {
	case m.Y.Dtype() == tensor.Int64:
		classes := m.Output.Shape()[1]
		v := make([]int64, ys.TotalSize())
		for i := range v {
			v[i] = int64(rng.IntN(classes))
		}
		return x, tensor.New(tensor.WithShape(ys.Clone()...), tensor.WithBacking(v))
	case m.Name == "binary":
		y = tensor.New(tensor.Of(m.Y.Dtype()), tensor.WithShape(ys.Clone()...))
		switch d := y.Data().(type) {
		case []float64:
			for i := range d {
				d[i] = float64(rng.IntN(2))
			}
		case []float32:
			for i := range d {
				d[i] = float32(rng.IntN(2))
			}
		}
		return x, y
	}
	return x, Uniform(rng, m.Y.Dtype(), 1, ys...)
}

// Tokens returns an int64 tensor of the given shape with elements uniform
// in [0, vocab), drawn from rng.
func Tokens(rng *rand.Rand, vocab int, shape ...int) *tensor.Dense {
	v := make([]int64, tensor.Shape(shape).TotalSize())
	for i := range v {
		v[i] = int64(rng.IntN(vocab))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}
