package models

import (
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// buildLSTM builds lstm = LSTM(32, 64, batch_first=True), the last time
// step's hidden state, fc = Linear(64, 1); MSE. Batch: x [B,20,32], y [B,1].
func buildLSTM(cfg Config) (*Model, error) {
	return buildRecurrent("lstm", cfg, false, 1)
}

// buildBiLSTM builds lstm = LSTM(32, 64, batch_first=True,
// bidirectional=True), the concatenation [h_n[0], h_n[1]] of both
// directions' final hidden states, fc = Linear(128, 5); CrossEntropy.
// Batch: x [B,20,32], y int64 [B].
func buildBiLSTM(cfg Config) (*Model, error) {
	return buildRecurrent("bilstm", cfg, true, 5)
}

// buildRecurrent builds the LSTM models: one direction (h_n[0]) or both
// (the concatenated h_n) into fc = Linear(dirs·64, out).
func buildRecurrent(name string, cfg Config, bidi bool, out int) (*Model, error) {
	const steps, input, hidden = 20, 32, 64
	newLSTM := func(g *G.ExprGraph, dt tensor.Dtype, rng *rand.Rand) (*LSTM, error) {
		return NewLSTM(g, "lstm", input, hidden, bidi, dt, rng)
	}
	finalStates := func(lstm *LSTM, x *G.Node) (*G.Node, error) {
		res, err := lstm.Forward(x)
		if err != nil {
			return nil, err
		}
		if !bidi {
			return res.HN[0], nil
		}
		h, err := ops.Concat(1, res.HN...)
		return h, errors.Wrap(err, "concatenating h_n")
	}
	return buildSequence(name, cfg, steps, input, directions(bidi)*hidden, out, newLSTM, finalStates)
}

// buildGRU builds gru = GRU(32, 64, batch_first=True), the last time
// step's hidden state, fc = Linear(64, 1); MSE. Batch: x [B,20,32], y [B,1].
func buildGRU(cfg Config) (*Model, error) {
	const steps, input, hidden = 20, 32, 64
	newGRU := func(g *G.ExprGraph, dt tensor.Dtype, rng *rand.Rand) (*GRU, error) {
		return NewGRU(g, "gru", input, hidden, 1, false, dt, rng)
	}
	finalState := func(gru *GRU, x *G.Node) (*G.Node, error) {
		res, err := gru.Forward(x)
		if err != nil {
			return nil, err
		}
		return res.HN[0], nil
	}
	return buildSequence("gru", cfg, steps, input, hidden, 1, newGRU, finalState)
}

// buildTransformer builds enc = TransformerEncoderLayer(d_model=32,
// nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True) (post-norm,
// ReLU), the mean over the sequence, fc = Linear(32, 5); CrossEntropy.
// Batch: x [B,16,32], y int64 [B].
func buildTransformer(cfg Config) (*Model, error) {
	const seq, width, classes = 16, 32, 5
	newEncoder := func(g *G.ExprGraph, dt tensor.Dtype, rng *rand.Rand) (*TransformerEncoderLayer, error) {
		return NewTransformerEncoderLayer(g, "enc", TransformerConfig{DModel: width, NHead: 4, DimFeedforward: 64, MaxLen: seq}, dt, rng)
	}
	meanOverSequence := func(enc *TransformerEncoderLayer, x *G.Node) (*G.Node, error) {
		h, err := enc.Forward(x)
		if err != nil {
			return nil, err
		}
		pooled, err := ops.MeanAlong(h, 1)
		return pooled, errors.Wrap(err, "mean over the sequence")
	}
	return buildSequence("transformer", cfg, seq, width, width, classes, newEncoder, meanOverSequence)
}

// buildSequence builds the zoo's sequence model name: x [B, steps, input],
// a body made by newBody from the model's generator, and fc =
// Linear(width, out) on what summary makes of x through the body (its
// final state, a mean over the steps). One output is a regressor (MSE, y
// [B,1]); more are class logits (CrossEntropy, y int64 [B]).
func buildSequence[M Module](name string, cfg Config, steps, input, width, out int,
	newBody func(g *G.ExprGraph, dt tensor.Dtype, rng *rand.Rand) (M, error),
	summary func(body M, x *G.Node) (*G.Node, error)) (*Model, error) {
	loss := mse
	if out > 1 {
		loss = crossEntropy
	}
	m, rng, err := newModel(name, cfg, out > 1, steps, input)
	if err != nil {
		return nil, err
	}
	body, err := newBody(m.Graph, cfg.Dtype, rng)
	if err != nil {
		return nil, err
	}
	fc, err := NewLinear(m.Graph, "fc", width, out, cfg.Dtype, rng)
	if err != nil {
		return nil, err
	}
	m.Add(body, fc)
	h, err := summary(body, m.X)
	if err != nil {
		return nil, err
	}
	return m.finish(h, fc, loss)
}
