package main

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
)

// buildNet builds the deep classifier for a batch of batch samples of
// features inputs: Linear layers fc1, fc2, ... (widths hidden, then 1)
// with a ReLU after each hidden one, followed by dropout with probability
// dropout when it is positive, and the mean BCEWithLogits loss of the
// logit against float 0/1 targets — PyTorch's
//
//	nn.Sequential(nn.Linear(F, 32), nn.ReLU(), nn.Dropout(p), nn.Linear(32, 32), nn.ReLU(),
//	              nn.Dropout(p), nn.Linear(32, 32), nn.ReLU(), nn.Dropout(p), nn.Linear(32, 1))
//	loss = nn.BCEWithLogitsLoss()(model(x), y)
//
// The same seed gives the same weights whatever the batch size, so the
// trainer can rebuild it for a last, smaller validation batch.
func buildNet(features int, hidden []int, dropout float64, batch int, seed uint64) (*models.Model, error) {
	g := G.NewGraph()
	m := &models.Model{Name: "deep-binary", Graph: g, Config: models.Config{Batch: batch, Dtype: tensor.Float64, Seed: seed}}
	var err error
	if m.X, err = compiler.NewInput(g, "x", tensor.Float64, batch, features); err != nil {
		return nil, err
	}
	if m.Y, err = compiler.NewInput(g, "y", tensor.Float64, batch, 1); err != nil {
		return nil, err
	}
	rng := models.NewRNG(seed)
	sizes := append(append([]int{features}, hidden...), 1)
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
		if k+2 < len(sizes) {
			if h, err = ops.ReLU(h); err != nil {
				return nil, err
			}
			if dropout > 0 {
				// Each dropout node draws its own masks from seed and its place in the graph.
				if h, err = ops.Dropout(h, dropout, seed); err != nil {
					return nil, err
				}
			}
		}
	}
	m.Output = h
	m.Loss, err = ops.BCEWithLogits(h, m.Y)
	return m, err
}
