package train_test

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
)

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

// moons returns standardized two-moons train and validation sets with
// float 0/1 targets.
func moons(t testing.TB, n int, noise float64, seed uint64) (train, val *data.Dataset) {
	t.Helper()
	d, err := data.TwoMoons(n, noise, seed)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := data.Split(d, data.SplitConfig{Val: 0.25, Seed: seed, Stratify: true})
	if err != nil {
		t.Fatal(err)
	}
	sp, _, err = data.StandardizeSplits(sp, data.PerFeature)
	if err != nil {
		t.Fatal(err)
	}
	if train, err = sp.Train.FloatTargets(); err != nil {
		t.Fatal(err)
	}
	if val, err = sp.Val.FloatTargets(); err != nil {
		t.Fatal(err)
	}
	return train, val
}

// must returns v, or panics (failing the test) with err's stack.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("%+v", err))
	}
	return v
}
