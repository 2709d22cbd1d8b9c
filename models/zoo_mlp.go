package models

import (
	"fmt"
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"
)

// mlpLayers returns Linear layers fc1, fc2, ... of the given sizes
// (sizes[k] -> sizes[k+1]) with a ReLU after every one but the last.
func mlpLayers(m *Model, rng *rand.Rand, sizes ...int) (*Sequential, error) {
	s := &Sequential{}
	for k := 0; k+1 < len(sizes); k++ {
		fc, err := NewLinear(m.Graph, fmt.Sprintf("fc%d", k+1), sizes[k], sizes[k+1], m.X.Dtype(), rng)
		if err != nil {
			return nil, err
		}
		m.Add(fc)
		s.Layers = append(s.Layers, fc)
		if k+2 < len(sizes) {
			s.Layers = append(s.Layers, ReLU())
		}
	}
	return s, nil
}

// finish runs net on x to give the output and attaches the loss.
func (m *Model) finish(x *G.Node, net Layer, loss func(out, y *G.Node) (*G.Node, error)) (*Model, error) {
	var err error
	if m.Output, err = net.Forward(x); err != nil {
		return nil, err
	}
	if m.Loss, err = loss(m.Output, m.Y); err != nil {
		return nil, errors.Wrap(err, "loss")
	}
	return m, nil
}

func mse(out, y *G.Node) (*G.Node, error) { return ops.MSE(out, y) }

func crossEntropy(out, y *G.Node) (*G.Node, error) { return ops.CrossEntropy(out, y) }

func bceWithLogits(out, y *G.Node) (*G.Node, error) { return ops.BCEWithLogits(out, y) }

// buildSimpleNet builds fc1 = Linear(100, 50), ReLU, fc2 = Linear(50, 1);
// MSE loss (mean). Batch: x [B,100], y [B,1].
func buildSimpleNet(cfg Config) (*Model, error) {
	return buildPlainMLP("simplenet", cfg, false, mse, 100, 50, 1)
}

// buildBinary builds fc1 = Linear(30, 16), ReLU, fc2 = Linear(16, 1);
// BCEWithLogits loss (mean). Batch: x [B,30], y float 0/1 [B,1].
func buildBinary(cfg Config) (*Model, error) {
	return buildPlainMLP("binary", cfg, false, bceWithLogits, 30, 16, 1)
}

// buildMLP builds fc1 = Linear(784, 256), ReLU, fc2 = Linear(256, 128),
// ReLU, fc3 = Linear(128, 10); CrossEntropy loss (mean) over the logits.
// Batch: x [B,784], y int64 class indices [B].
func buildMLP(cfg Config) (*Model, error) {
	return buildPlainMLP("mlp", cfg, true, crossEntropy, 784, 256, 128, 10)
}

// buildPlainMLP builds the zoo model name: mlpLayers of the given sizes on
// x [B, sizes[0]] and loss against y, int64 class indices [B] when classes
// is true, else float [B, 1].
func buildPlainMLP(name string, cfg Config, classes bool, loss func(out, y *G.Node) (*G.Node, error), sizes ...int) (*Model, error) {
	m, rng, err := newModel(name, cfg, classes, sizes[0])
	if err != nil {
		return nil, err
	}
	net, err := mlpLayers(m, rng, sizes...)
	if err != nil {
		return nil, err
	}
	return m.finish(m.X, net, loss)
}

// buildMLPBN builds fc1 = Linear(100, 64), bn1 = BatchNorm1d(64), ReLU,
// fc2 = Linear(64, 1); MSE. Batch: x [B,100], y [B,1].
func buildMLPBN(cfg Config) (*Model, error) {
	m, rng, err := newModel("mlpbn", cfg, false, 100)
	if err != nil {
		return nil, err
	}
	dt := cfg.Dtype
	fc1, err := NewLinear(m.Graph, "fc1", 100, 64, dt, rng)
	if err != nil {
		return nil, err
	}
	bn1, err := NewBatchNorm(m.Graph, "bn1", 64, dt)
	if err != nil {
		return nil, err
	}
	fc2, err := NewLinear(m.Graph, "fc2", 64, 1, dt, rng)
	if err != nil {
		return nil, err
	}
	m.Add(fc1, bn1, fc2)
	return m.finish(m.X, NewSequential(fc1, bn1, ReLU(), fc2), mse)
}
