package gradcheck

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
	"slices"
	"strings"

	"github.com/symgrad/symgrad/models"
)

// CheckModel checks a zoo model's gradients on a seeded batch of cfg.Batch
// examples (default 4): x and float targets y are N(0, 1), int64 targets y
// are classes in [0, k) with k the last dimension of the model's output.
// Every parameter is checked; a float32 model is checked through its float64
// twin (the model built in float64 with the float32 weights converted).
func CheckModel(name string, cfg Config) (*Report, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if !slices.Contains(models.Names(), name) {
		return nil, errors.Errorf("gradcheck: unknown model %q (models: %s)", name, strings.Join(models.Names(), ", "))
	}
	return Check(name, KindModel, ModelBuilder(name, c.Batch, c.Seed), cfg)
}

// ModelBuilder returns the Builder CheckModel uses: the zoo model built with
// seed, its loss and parameters, and a batch drawn from seed.
func ModelBuilder(name string, batch int, seed uint64) Builder {
	return func(dt tensor.Dtype) (*Problem, error) {
		m, err := models.Build(name, models.Config{Batch: batch, Dtype: dt, Seed: seed})
		if err != nil {
			return nil, err
		}
		rng := newRNG(seed, 3)
		var x *tensor.Dense
		if m.Vocab > 0 { // token ids
			x = Classes(rng, m.Vocab, m.X.Shape()...)
		} else {
			x = Normal(rng, m.X.Dtype(), m.X.Shape()...)
		}
		var y *tensor.Dense
		switch m.Y.Dtype() {
		case tensor.Int64:
			out := m.Output.Shape()
			if len(out) == 0 {
				return nil, errors.Errorf("model %q: class targets but a scalar output", name)
			}
			y = Classes(rng, out[len(out)-1], m.Y.Shape()...)
		default:
			y = Normal(rng, m.Y.Dtype(), m.Y.Shape()...)
		}
		return &Problem{Loss: m.Loss, Params: m.Params, Output: m.Output,
			Inputs: map[string]*tensor.Dense{m.X.Name(): x, m.Y.Name(): y}}, nil
	}
}
