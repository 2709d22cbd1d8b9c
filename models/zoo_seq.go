package models

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

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
	net := NewSequential(conv1, reluLayer(), pool, conv2, reluLayer(), pool, &Flatten{}, head)
	return m.finish(m.X, net, crossEntropy)
}

// buildLSTM builds lstm = LSTM(32, 64, batch_first=True), the last time
// step's hidden state, fc = Linear(64, 1); MSE. Batch: x [B,20,32], y [B,1].
func buildLSTM(cfg Config) (*Model, error) {
	return buildRecurrent("lstm", cfg, false, 1, mse)
}

// buildBiLSTM builds lstm = LSTM(32, 64, batch_first=True,
// bidirectional=True), the concatenation [h_n[0], h_n[1]] of both
// directions' final hidden states, fc = Linear(128, 5); CrossEntropy.
// Batch: x [B,20,32], y int64 [B].
func buildBiLSTM(cfg Config) (*Model, error) {
	return buildRecurrent("bilstm", cfg, true, 5, crossEntropy)
}

func buildRecurrent(name string, cfg Config, bidi bool, out int, loss func(o, y *G.Node) (*G.Node, error)) (*Model, error) {
	const steps, input, hidden = 20, 32, 64
	m, rng, err := newModel(name, cfg, out > 1, steps, input)
	if err != nil {
		return nil, err
	}
	lstm, err := NewLSTM(m.Graph, "lstm", input, hidden, bidi, cfg.Dtype, rng)
	if err != nil {
		return nil, err
	}
	dirs := len(lstm.Dirs)
	fc, err := NewLinear(m.Graph, "fc", dirs*hidden, out, cfg.Dtype, rng)
	if err != nil {
		return nil, err
	}
	m.Add(lstm, fc)
	res, err := lstm.Forward(m.X)
	if err != nil {
		return nil, err
	}
	h := res.HN[0]
	if bidi {
		if h, err = ops.Concat(1, res.HN...); err != nil {
			return nil, errors.Wrap(err, "concatenating h_n")
		}
	}
	return m.finish(h, fc, loss)
}
