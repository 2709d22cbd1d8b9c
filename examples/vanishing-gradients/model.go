package main

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/examples/internal/notebook"
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

// activations are the hidden layers' activations, by name.
var activations = map[string]models.Layer{
	"sigmoid": &models.Func{Name: "sigmoid", Fn: ops.Sigmoid},
	"relu":    models.ReLU(),
}

// buildDeep builds x [batch, 2] -> depth × (Linear, [BatchNorm1d],
// activation) -> Linear(width, 1), with the mean BCEWithLogits loss, and
// multiplies every Linear layer's initial weights by c.weightScale.
// Layers are named fc1 ... fc{depth+1} and bn1 ... bn{depth}.
func buildDeep(c deepConfig, batch int, seed uint64) (*models.Model, error) {
	activation, ok := activations[c.activation]
	if !ok {
		return nil, fmt.Errorf("unknown activation %q", c.activation)
	}
	hidden := make([]int, c.depth)
	for k := range hidden {
		hidden[k] = c.width
	}
	net := notebook.Net{Name: c.name, In: 2, Hidden: hidden, Seed: seed, Activation: activation, BatchNorm: c.batchNorm, Loss: ops.BCEWithLogits}
	m, err := net.Build(batch)
	if err != nil {
		return nil, err
	}
	for _, l := range m.Modules {
		if fc, ok := l.(*models.Linear); ok {
			scale(fc.Weight.Value().(*tensor.Dense), c.weightScale)
		}
	}
	return m, nil
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
