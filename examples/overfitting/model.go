package main

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
)

// hidden are the widths of the network's hidden layers: about 33,000
// parameters for 16 training points.
var hidden = []int{128, 128, 128}

// buildNet builds x [batch, 1] -> 128 -> 128 -> 128 -> 1 with ReLU, and
// dropout with probability drop after every hidden layer when drop > 0,
// with the mean squared error against y [batch, 1].
func buildNet(batch int, seed uint64, drop float64) (*models.Model, error) {
	g := G.NewGraph()
	m := &models.Model{Name: "too-big", Graph: g, Config: models.Config{Batch: batch, Dtype: tensor.Float64, Seed: seed}}
	var err error
	if m.X, err = compiler.NewInput(g, "x", tensor.Float64, batch, 1); err != nil {
		return nil, err
	}
	if m.Y, err = compiler.NewInput(g, "y", tensor.Float64, batch, 1); err != nil {
		return nil, err
	}
	rng := models.NewRNG(seed)
	sizes := append(append([]int{1}, hidden...), 1)
	h := m.X
	for k := 0; k+1 < len(sizes); k++ {
		fc, err := models.NewLinear(g, fmt.Sprintf("fc%d", k+1), sizes[k], sizes[k+1], tensor.Float64, rng)
		if err != nil {
			return nil, err
		}
		m.Add(fc)
		if h, err = fc.Forward(h); err != nil {
			return nil, err
		}
		if k+2 == len(sizes) {
			break
		}
		if h, err = ops.ReLU(h); err != nil {
			return nil, err
		}
		if drop > 0 {
			// Each dropout node draws its own masks, from the seed and
			// its place in the graph.
			if h, err = ops.Dropout(h, drop, seed+uint64(k)); err != nil {
				return nil, err
			}
		}
	}
	m.Output = h
	m.Loss, err = ops.MSE(h, m.Y)
	return m, err
}
