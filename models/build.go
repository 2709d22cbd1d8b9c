package models

import (
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// New starts a model built by hand, as a PyTorch user writes an
// nn.Module: a fresh graph, the input X named "x" of shape [cfg.Batch,
// sample...] and cfg's dtype, and a generator seeded by cfg.Seed from
// which the layers created through the model (Model.Linear) draw their
// initial values. Layers created through the model register themselves,
// as nn.Module attributes do; others are registered with Add.
func New(name string, cfg Config, sample ...int) (m *Model, err error) {
	defer panics.Recover(&err, "model %q", name)
	if cfg, err = cfg.withDefaults(); err != nil {
		return nil, errors.Wrapf(err, "model %q", name)
	}
	if m, err = startModel(name, cfg, cfg.Dtype, sample...); err != nil {
		return nil, errors.Wrapf(err, "model %q", name)
	}
	m.rng = NewRNG(cfg.Seed)
	return m, nil
}

// startModel makes a model on a fresh graph with its input x [cfg.Batch,
// sample...] of dtype xdt: what New and the zoo's builders start from.
func startModel(name string, cfg Config, xdt tensor.Dtype, sample ...int) (*Model, error) {
	m := &Model{Name: name, Config: cfg, Graph: G.NewGraph()}
	var err error
	m.X, err = compiler.NewInput(m.Graph, "x", xdt, append([]int{cfg.Batch}, sample...)...)
	return m, err
}

// addTargets declares the target input y [batch, shape...] of dtype dt.
func (m *Model) addTargets(dt tensor.Dtype, shape ...int) (err error) {
	m.Y, err = compiler.NewInput(m.Graph, "y", dt, append([]int{m.X.Shape()[0]}, shape...)...)
	return err
}

// Targets declares the model's target input Y, named "y", of shape
// [batch, shape...]: Targets(tensor.Int64) for class indices [B] (a
// cross-entropy loss), Targets(m.Config.Dtype, 1) for [B, 1] regression or
// 0/1 targets.
func (m *Model) Targets(dt tensor.Dtype, shape ...int) (err error) {
	defer panics.Recover(&err, "model %q: targets", m.Name)
	if m.Y != nil {
		return errors.Errorf("model %q already has targets %q", m.Name, m.Y.Name())
	}
	return errors.Wrapf(m.addTargets(dt, shape...), "model %q: targets", m.Name)
}

// generator returns the model's initialisation generator.
func (m *Model) generator() *rand.Rand {
	if m.rng == nil {
		m.rng = NewRNG(m.Config.Seed)
	}
	return m.rng
}

// register adds a layer made by a constructor to the model, or wraps the
// constructor's error.
func register[L Module](m *Model, l L, err error) (L, error) {
	if err != nil {
		var zero L
		return zero, errors.Wrapf(err, "model %q", m.Name)
	}
	m.Add(l)
	return l, nil
}

// Linear creates PyTorch's nn.Linear(in, out) named name on the model's
// graph, in its dtype, initialised from its generator, and registers it.
func (m *Model) Linear(name string, in, out int) (*Linear, error) {
	l, err := NewLinear(m.Graph, name, in, out, m.Dtype(), m.generator())
	return register(m, l, err)
}

// Conv2D creates nn.Conv2d(in, out, kernel, stride, padding) (see
// NewConv2D) on the model and registers it.
func (m *Model) Conv2D(name string, in, out int, kernel, stride, padding [2]int) (*Conv2D, error) {
	c, err := NewConv2D(m.Graph, name, in, out, kernel, stride, padding, m.Dtype(), m.generator())
	return register(m, c, err)
}

// BatchNorm creates nn.BatchNorm1d/2d(c) (see NewBatchNorm) on the model
// and registers it.
func (m *Model) BatchNorm(name string, c int) (*BatchNorm, error) {
	b, err := NewBatchNorm(m.Graph, name, c, m.Dtype())
	return register(m, b, err)
}

// Embedding creates nn.Embedding(num, dim) (see NewEmbedding) on the model
// and registers it.
func (m *Model) Embedding(name string, num, dim int) (*Embedding, error) {
	e, err := NewEmbedding(m.Graph, name, num, dim, m.Dtype(), m.generator())
	return register(m, e, err)
}

// LSTM creates nn.LSTM(input, hidden, batch_first=True[, bidirectional])
// (see NewLSTM) on the model and registers it.
func (m *Model) LSTM(name string, input, hidden int, bidirectional bool) (*LSTM, error) {
	l, err := NewLSTM(m.Graph, name, input, hidden, bidirectional, m.Dtype(), m.generator())
	return register(m, l, err)
}

// LossFunc is the signature of ops' losses: ops.CrossEntropy, ops.MSE,
// ops.BCEWithLogits, ops.L1Loss, ops.BCE (the mean by default).
type LossFunc func(out, target *G.Node, r ...ops.Reduction) (*G.Node, error)

// SetLoss runs net on the model's input X for its Output and attaches
// loss(Output, Y) as its Loss (declare Y with Targets first).
func (m *Model) SetLoss(net Layer, loss LossFunc) (err error) {
	defer panics.Recover(&err, "model %q", m.Name)
	if m.Output, err = net.Forward(m.X); err != nil {
		return errors.Wrapf(err, "model %q", m.Name)
	}
	if m.Y == nil {
		return errors.Errorf("model %q: the loss needs targets: call Targets first (a loss on x alone: set Output and Loss directly)", m.Name)
	}
	m.Loss, err = loss(m.Output, m.Y)
	return errors.Wrapf(err, "model %q: loss", m.Name)
}

// ReLU returns ReLU as a stateless layer, for a Sequential.
func ReLU() *Func { return &Func{Name: "relu", Fn: ops.ReLU} }
