package models

import (
	"github.com/pkg/errors"

	"github.com/symgrad/symgrad/ops"
)

// buildTransformer builds enc = TransformerEncoderLayer(d_model=32,
// nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True) (post-norm,
// ReLU), the mean over the sequence, fc = Linear(32, 5); CrossEntropy.
// Batch: x [B,16,32], y int64 [B].
func buildTransformer(cfg Config) (*Model, error) {
	const seq, width, classes = 16, 32, 5
	m, rng, err := newModel("transformer", cfg, true, seq, width)
	if err != nil {
		return nil, err
	}
	enc, err := NewTransformerEncoderLayer(m.Graph, "enc", TransformerConfig{DModel: width, NHead: 4, DimFeedforward: 64, MaxLen: seq}, cfg.Dtype, rng)
	if err != nil {
		return nil, err
	}
	fc, err := NewLinear(m.Graph, "fc", width, classes, cfg.Dtype, rng)
	if err != nil {
		return nil, err
	}
	m.Add(enc, fc)
	h, err := enc.Forward(m.X)
	if err != nil {
		return nil, err
	}
	pooled, err := ops.MeanAlong(h, 1)
	if err != nil {
		return nil, errors.Wrap(err, "mean over the sequence")
	}
	return m.finish(pooled, fc, crossEntropy)
}
