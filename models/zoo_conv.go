package models

import (
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// buildLeNet builds conv1 = Conv2d(1, 6, 5), ReLU, MaxPool2d(2),
// conv2 = Conv2d(6, 16, 5), ReLU, MaxPool2d(2), flatten,
// fc1 = Linear(256, 120), ReLU, fc2 = Linear(120, 84), ReLU,
// fc3 = Linear(84, 10); CrossEntropy. Batch: x [B,1,28,28], y int64 [B].
func buildLeNet(cfg Config) (*Model, error) {
	m, rng, err := newModel("lenet", cfg, true, 1, 28, 28)
	if err != nil {
		return nil, err
	}
	dt := cfg.Dtype
	conv1, err := NewConv2D(m.Graph, "conv1", 1, 6, [2]int{5, 5}, [2]int{1, 1}, [2]int{}, dt, rng)
	if err != nil {
		return nil, err
	}
	conv2, err := NewConv2D(m.Graph, "conv2", 6, 16, [2]int{5, 5}, [2]int{1, 1}, [2]int{}, dt, rng)
	if err != nil {
		return nil, err
	}
	m.Add(conv1, conv2)
	head, err := mlpLayers(m, rng, 256, 120, 84, 10)
	if err != nil {
		return nil, err
	}
	pool := NewMaxPool2D([2]int{2, 2}, [2]int{2, 2})
	net := NewSequential(conv1, ReLU(), pool, conv2, ReLU(), pool, &Flatten{}, head)
	return m.finish(m.X, net, crossEntropy)
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
	net := NewSequential(emb, transpose, conv, ReLU(), NewMaxPool1D(textLen, 1, 0), &Flatten{}, fc)
	return m.finish(m.X, net, crossEntropy)
}
