package models

import (
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// buildSimpleNet builds the seed's network: fc1 = Linear(100, 50), ReLU,
// fc2 = Linear(50, 1), MSE loss (mean). Batch: x [B,100], y [B,1].
func buildSimpleNet(cfg Config) (*Model, error) {
	g := G.NewGraph()
	rng := NewRNG(cfg.Seed)
	m := &Model{Name: "simplenet", Graph: g}
	var err error
	if m.X, err = compiler.NewInput(g, "x", cfg.Dtype, cfg.Batch, 100); err != nil {
		return nil, err
	}
	if m.Y, err = compiler.NewInput(g, "y", cfg.Dtype, cfg.Batch, 1); err != nil {
		return nil, err
	}
	fc1, err := NewLinear(g, "fc1", 100, 50, cfg.Dtype, rng)
	if err != nil {
		return nil, err
	}
	fc2, err := NewLinear(g, "fc2", 50, 1, cfg.Dtype, rng)
	if err != nil {
		return nil, err
	}
	h, err := fc1.Forward(m.X)
	if err != nil {
		return nil, err
	}
	if h, err = ops.ReLU(h); err != nil {
		return nil, err
	}
	if m.Output, err = fc2.Forward(h); err != nil {
		return nil, err
	}
	if m.Loss, err = ops.MSE(m.Output, m.Y); err != nil {
		return nil, err
	}
	m.Params = append(fc1.Params(), fc2.Params()...)
	return m, nil
}
