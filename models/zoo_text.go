package models

import (
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// buildGRU builds gru = GRU(32, 64, batch_first=True), the last time
// step's hidden state, fc = Linear(64, 1); MSE. Batch: x [B,20,32], y [B,1].
func buildGRU(cfg Config) (*Model, error) {
	const steps, input, hidden = 20, 32, 64
	m, rng, err := newModel("gru", cfg, false, steps, input)
	if err != nil {
		return nil, err
	}
	gru, err := NewGRU(m.Graph, "gru", input, hidden, 1, false, cfg.Dtype, rng)
	if err != nil {
		return nil, err
	}
	fc, err := NewLinear(m.Graph, "fc", hidden, 1, cfg.Dtype, rng)
	if err != nil {
		return nil, err
	}
	m.Add(gru, fc)
	res, err := gru.Forward(m.X)
	if err != nil {
		return nil, err
	}
	return m.finish(res.HN[0], fc, mse)
}

// textCNN's sizes: vocabulary, sequence length, embedding width, filters,
// classes.
const textVocab, textLen, textEmb, textFilters, textClasses = 1000, 40, 32, 64, 4

// buildTextCNN builds emb = Embedding(1000, 32), conv = Conv1d(32, 64, 3,
// padding=1) over the sequence (PyTorch: emb(x).transpose(1, 2)), ReLU,
// max over time, fc = Linear(64, 4); CrossEntropy. Batch: x int64 token
// ids [B,40], y int64 [B].
func buildTextCNN(cfg Config) (*Model, error) {
	m, rng, err := newModelX("textcnn", cfg, true, tensor.Int64, textLen)
	if err != nil {
		return nil, err
	}
	m.Vocab = textVocab
	dt := cfg.Dtype
	emb, err := NewEmbedding(m.Graph, "emb", textVocab, textEmb, dt, rng)
	if err != nil {
		return nil, err
	}
	conv, err := NewConv1D(m.Graph, "conv", textEmb, textFilters, 3, Conv1DConfig{Padding: 1}, dt, rng)
	if err != nil {
		return nil, err
	}
	fc, err := NewLinear(m.Graph, "fc", textFilters, textClasses, dt, rng)
	if err != nil {
		return nil, err
	}
	m.Add(emb, conv, fc)
	transpose := &Func{Name: "transpose(1, 2)", Fn: ops.SwapLast}
	// Max over time as the classic TextCNN writes it, max_pool1d over the
	// whole sequence then flatten: the first maximum takes the gradient, as
	// PyTorch's max(dim=2).values (a preallocated op, no allocation per step).
	net := NewSequential(emb, transpose, conv, reluLayer(), NewMaxPool1D(textLen, 1, 0), &Flatten{}, fc)
	return m.finish(m.X, net, crossEntropy)
}
