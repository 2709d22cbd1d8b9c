package main

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
)

// deepConfig describes one deep network: depth hidden layers of width
// units, the activation after each ("sigmoid" or "relu"), optional batch
// norm before it, and a factor on every initial weight (1 is PyTorch's
// default initialisation, U(±1/√fan_in)).
type deepConfig struct {
	name        string
	activation  string
	batchNorm   bool
	depth       int
	width       int
	weightScale float64
}

// buildDeep builds x [batch, 2] -> depth × (Linear, [BatchNorm1d],
// activation) -> Linear(width, 1), with the mean BCEWithLogits loss.
// Layers are named fc1 ... fc{depth+1} and bn1 ... bn{depth}.
func buildDeep(c deepConfig, batch int, seed uint64) (*models.Model, error) {
	g := G.NewGraph()
	m := &models.Model{Name: c.name, Graph: g, Config: models.Config{Batch: batch, Dtype: tensor.Float64, Seed: seed}}
	var err error
	if m.X, err = compiler.NewInput(g, "x", tensor.Float64, batch, 2); err != nil {
		return nil, err
	}
	if m.Y, err = compiler.NewInput(g, "y", tensor.Float64, batch, 1); err != nil {
		return nil, err
	}
	rng := models.NewRNG(seed)
	h, in := m.X, 2
	for k := 1; k <= c.depth+1; k++ {
		out := c.width
		if k == c.depth+1 {
			out = 1
		}
		fc, err := models.NewLinear(g, fmt.Sprintf("fc%d", k), in, out, tensor.Float64, rng)
		if err != nil {
			return nil, err
		}
		scale(fc.Weight.Value().(*tensor.Dense), c.weightScale)
		m.Add(fc)
		if h, err = fc.Forward(h); err != nil {
			return nil, err
		}
		if k == c.depth+1 {
			break
		}
		if c.batchNorm {
			bn, err := models.NewBatchNorm(g, fmt.Sprintf("bn%d", k), c.width, tensor.Float64)
			if err != nil {
				return nil, err
			}
			m.Add(bn)
			if h, err = bn.Forward(h); err != nil {
				return nil, err
			}
		}
		if h, err = activate(c.activation, h); err != nil {
			return nil, err
		}
		in = c.width
	}
	m.Output = h
	m.Loss, err = ops.BCEWithLogits(h, m.Y)
	return m, err
}

// activate applies the named activation.
func activate(name string, x *G.Node) (*G.Node, error) {
	switch name {
	case "sigmoid":
		return ops.Sigmoid(x)
	case "relu":
		return ops.ReLU(x)
	}
	return nil, fmt.Errorf("unknown activation %q", name)
}

// scale multiplies t by f in place.
func scale(t *tensor.Dense, f float64) {
	if f == 0 || f == 1 {
		return
	}
	for i, v := range t.Data().([]float64) {
		t.Data().([]float64)[i] = v * f
	}
}
