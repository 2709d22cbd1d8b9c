package train_test

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
)

// The networks the tests train, built the way a user builds a custom
// model.

// mlp builds a custom model the way a user would: x [batch, sizes[0]],
// Linear layers fc1, fc2, ... with ReLU between them, and loss on the last
// layer's output: "bce" (BCEWithLogits, y [batch,1]), "mse" (y [batch,1])
// or "ce" (CrossEntropy, int64 y [batch]).
func mlp(name, loss string, batch int, seed uint64, sizes ...int) (*models.Model, error) {
	return mlpDtype(name, loss, batch, seed, tensor.Float64, sizes...)
}

// mlpDtype is mlp in dtype dt.
func mlpDtype(name, loss string, batch int, seed uint64, dt tensor.Dtype, sizes ...int) (*models.Model, error) {
	g := G.NewGraph()
	m := &models.Model{Name: name, Graph: g, Config: models.Config{Batch: batch, Dtype: dt, Seed: seed}}
	var err error
	if m.X, err = compiler.NewInput(g, "x", dt, batch, sizes[0]); err != nil {
		return nil, err
	}
	if loss == "ce" {
		m.Y, err = compiler.NewInput(g, "y", tensor.Int64, batch)
	} else {
		m.Y, err = compiler.NewInput(g, "y", dt, batch, 1)
	}
	if err != nil {
		return nil, err
	}
	rng := models.NewRNG(seed)
	h := m.X
	for k := 0; k+1 < len(sizes); k++ {
		fc, err := models.NewLinear(g, "fc"+string(rune('1'+k)), sizes[k], sizes[k+1], dt, rng)
		if err != nil {
			return nil, err
		}
		m.Modules = append(m.Modules, fc)
		m.Params = append(m.Params, fc.Params()...)
		if h, err = fc.Forward(h); err != nil {
			return nil, err
		}
		if k+2 < len(sizes) {
			if h, err = ops.ReLU(h); err != nil {
				return nil, err
			}
		}
	}
	m.Output = h
	switch loss {
	case "bce":
		m.Loss, err = ops.BCEWithLogits(h, m.Y)
	case "ce":
		m.Loss, err = ops.CrossEntropy(h, m.Y)
	default:
		m.Loss, err = ops.MSE(h, m.Y)
	}
	return m, err
}

// moonsNet is the binary zoo architecture (Linear, ReLU, Linear(16, 1),
// BCEWithLogits) built for two moons' 2 features.
func moonsNet(batch int) (*models.Model, error) { return mlp("moons", "bce", batch, 3, 2, 16, 1) }

// regressionNet is a 5-16-1 MSE network.
func regressionNet(b int) (*models.Model, error) { return mlp("reg", "mse", b, 1, 5, 16, 1) }

// dropoutNet is moonsNet with dropout (p 0.3) after the hidden layer:
// x [batch,2] -> fc1 16 -> ReLU -> dropout -> fc2 1, BCEWithLogits.
func dropoutNet(batch int) (*models.Model, error) {
	g := G.NewGraph()
	dt := tensor.Float64
	m := &models.Model{Name: "moons-dropout", Graph: g, Config: models.Config{Batch: batch, Dtype: dt, Seed: 3}}
	var err error
	if m.X, err = compiler.NewInput(g, "x", dt, batch, 2); err != nil {
		return nil, err
	}
	if m.Y, err = compiler.NewInput(g, "y", dt, batch, 1); err != nil {
		return nil, err
	}
	rng := models.NewRNG(3)
	fc1, err := models.NewLinear(g, "fc1", 2, 16, dt, rng)
	if err != nil {
		return nil, err
	}
	fc2, err := models.NewLinear(g, "fc2", 16, 1, dt, rng)
	if err != nil {
		return nil, err
	}
	drop, err := models.NewDropout(0.3, 11)
	if err != nil {
		return nil, err
	}
	m.Modules = append(m.Modules, fc1, fc2)
	m.Params = append(append(m.Params, fc1.Params()...), fc2.Params()...)
	h, err := fc1.Forward(m.X)
	if err == nil {
		h, err = ops.ReLU(h)
	}
	if err == nil {
		h, err = drop.Forward(h)
	}
	if err == nil {
		h, err = fc2.Forward(h)
	}
	if err != nil {
		return nil, err
	}
	m.Output = h
	m.Loss, err = ops.BCEWithLogits(h, m.Y)
	return m, err
}

// autoencoder builds x [batch,4] -> enc Linear(4,2) -> ReLU -> dec
// Linear(2,4), loss MSE(out, x): no target. With declareY a target y is
// declared that the loss never reads.
func autoencoder(batch int, declareY bool) (*models.Model, error) {
	g := G.NewGraph()
	m := &models.Model{Name: "ae", Graph: g}
	var err error
	if m.X, err = compiler.NewInput(g, "x", tensor.Float64, batch, 4); err != nil {
		return nil, err
	}
	if declareY {
		if m.Y, err = compiler.NewInput(g, "y", tensor.Float64, batch, 1); err != nil {
			return nil, err
		}
	}
	rng := models.NewRNG(1)
	enc, _ := models.NewLinear(g, "enc", 4, 2, tensor.Float64, rng)
	dec, _ := models.NewLinear(g, "dec", 2, 4, tensor.Float64, rng)
	m.Add(enc, dec)
	h, _ := enc.Forward(m.X)
	h, _ = ops.ReLU(h)
	if m.Output, err = dec.Forward(h); err != nil {
		return nil, err
	}
	m.Loss, err = ops.MSE(m.Output, m.X)
	return m, err
}
