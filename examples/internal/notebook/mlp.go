package notebook

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
)

// Net describes a float64 multilayer perceptron x [Batch, In] -> Hidden...
// -> 1 with a ReLU after every hidden layer and, when Dropout > 0, dropout
// with that probability after each ReLU.
type Net struct {
	Name    string // the model's name
	In      int    // input features
	Hidden  []int  // hidden layer widths
	Batch   int
	Seed    uint64 // PyTorch's default initialisation drawn from it
	Dropout float64
	// DropSeed is the seed of hidden layer k's dropout masks.
	DropSeed func(k int) uint64
	// Loss is the loss of the output against y [Batch, 1].
	Loss func(out, y *G.Node, r ...ops.Reduction) (*G.Node, error)
}

// MLP builds n: Linear layers named fc1, fc2, ..., inputs "x" and "y".
func MLP(n Net) (*models.Model, error) {
	g := G.NewGraph()
	m := &models.Model{Name: n.Name, Graph: g, Config: models.Config{Batch: n.Batch, Dtype: tensor.Float64, Seed: n.Seed}}
	var err error
	if m.X, err = compiler.NewInput(g, "x", tensor.Float64, n.Batch, n.In); err != nil {
		return nil, err
	}
	if m.Y, err = compiler.NewInput(g, "y", tensor.Float64, n.Batch, 1); err != nil {
		return nil, err
	}
	rng := models.NewRNG(n.Seed)
	sizes := append(append([]int{n.In}, n.Hidden...), 1)
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
		if n.Dropout > 0 {
			// Each dropout node draws its own masks from its seed and its place in the graph.
			if h, err = ops.Dropout(h, n.Dropout, n.DropSeed(k)); err != nil {
				return nil, err
			}
		}
	}
	m.Output = h
	m.Loss, err = n.Loss(h, m.Y)
	return m, err
}
