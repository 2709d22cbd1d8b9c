package notebook

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
)

// Net describes a float64 multilayer perceptron x [batch, In] -> Hidden...
// -> 1: Linear layers fc1, fc2, ..., each hidden one followed by batch
// normalisation when BatchNorm (bn1, bn2, ...: PyTorch's BatchNorm1d), its
// activation, and dropout when Dropout > 0.
type Net struct {
	Name   string // the model's name
	In     int    // input features
	Hidden []int  // hidden layer widths
	Seed   uint64 // PyTorch's default initialisation drawn from it
	// Activation follows every hidden layer; nil means ReLU.
	Activation models.Layer
	BatchNorm  bool
	Dropout    float64
	// DropSeed is the seed of hidden layer k's dropout masks.
	DropSeed func(k int) uint64
	// Loss is the loss of the output against y [batch, 1].
	Loss models.LossFunc
}

// Build builds n for batches of batch samples, on the inputs "x" and "y"
// of models.New and Model.Targets. The same seed gives the same weights
// whatever the batch, so Build serves as train.Config.Rebuild.
func (n Net) Build(batch int) (*models.Model, error) {
	m, err := models.New(n.Name, models.Config{Batch: batch, Seed: n.Seed}, n.In)
	if err != nil {
		return nil, err
	}
	if err := m.Targets(m.Dtype(), 1); err != nil {
		return nil, err
	}
	sizes := append(append([]int{n.In}, n.Hidden...), 1)
	h := m.X
	for k := 0; k+1 < len(sizes); k++ {
		fc, err := m.Linear(fmt.Sprintf("fc%d", k+1), sizes[k], sizes[k+1])
		if err != nil {
			return nil, err
		}
		if h, err = fc.Forward(h); err != nil {
			return nil, err
		}
		if k+2 < len(sizes) {
			if h, err = n.afterHidden(m, k, h); err != nil {
				return nil, err
			}
		}
	}
	m.Output = h
	m.Loss, err = n.Loss(h, m.Y)
	return m, err
}

// afterHidden adds what follows hidden layer k's Linear layer (k from 0):
// batch norm, the activation, dropout.
func (n Net) afterHidden(m *models.Model, k int, h *G.Node) (*G.Node, error) {
	var err error
	if n.BatchNorm {
		bn, err := m.BatchNorm(fmt.Sprintf("bn%d", k+1), n.Hidden[k])
		if err != nil {
			return nil, err
		}
		if h, err = bn.Forward(h); err != nil {
			return nil, err
		}
	}
	activation := n.Activation
	if activation == nil {
		activation = models.ReLU()
	}
	if h, err = activation.Forward(h); err != nil || n.Dropout <= 0 {
		return h, err
	}
	// Each dropout node draws its own masks from its seed and its place in
	// the graph.
	return ops.Dropout(h, n.Dropout, n.DropSeed(k))
}
