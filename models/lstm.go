package models

import (
	"math"
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// LSTM is PyTorch's nn.LSTM with one layer and batch_first=True, optionally
// bidirectional. For each time step t, with gates in PyTorch's order i, f,
// g, o stacked in the 4H rows of the weights:
//
//	i = σ(W_ii x_t + b_ii + W_hi h + b_hi)    f = σ(W_if x_t + b_if + W_hf h + b_hf)
//	g = tanh(W_ig x_t + b_ig + W_hg h + b_hg) o = σ(W_io x_t + b_io + W_ho h + b_ho)
//	c' = f ⊙ c + i ⊙ g                         h' = o ⊙ tanh(c')
//
// with h0 = c0 = 0. The reverse direction runs the same recurrence with its
// own weights over the reversed sequence, so its final state is at t = 0.
type LSTM struct {
	Name          string
	Input, Hidden int
	Bidirectional bool
	// Dirs holds the forward direction's weights, then (if bidirectional)
	// the reverse direction's.
	Dirs []*LSTMWeights
}

// LSTMWeights are one direction's parameters (RNNWeights with 4 gates),
// named <name>.weight_ih_l0, <name>.weight_hh_l0, <name>.bias_ih_l0,
// <name>.bias_hh_l0 (with a "_reverse" suffix for the reverse direction),
// shapes [4H, In], [4H, H], [4H], [4H].
type LSTMWeights = RNNWeights

// LSTMOutput is what an LSTM computes for a batch.
type LSTMOutput struct {
	// Steps[d][t] is direction d's hidden state at time step t, [B, H].
	Steps [][]*G.Node
	// HN[d] and CN[d] are direction d's final hidden and cell states, [B, H]
	// (PyTorch's h_n[d], c_n[d]); the reverse direction's are at t = 0.
	HN, CN []*G.Node
}

// NewLSTM adds an LSTM's parameters to g, every one drawn from
// U(-1/sqrt(hidden), 1/sqrt(hidden)) in state_dict order, as PyTorch does.
func NewLSTM(g *G.ExprGraph, name string, input, hidden int, bidirectional bool, dt tensor.Dtype, rng *rand.Rand) (l *LSTM, err error) {
	if input <= 0 || hidden <= 0 {
		return nil, errors.Errorf("lstm %q: sizes must be positive, got input=%d hidden=%d", name, input, hidden)
	}
	if err := checkInit("lstm", name, rng, 4, hidden, input+hidden); err != nil {
		return nil, err
	}
	l = &LSTM{Name: name, Input: input, Hidden: hidden, Bidirectional: bidirectional}
	bound := 1 / math.Sqrt(float64(hidden))
	suffixes := []string{"_l0"}
	if bidirectional {
		suffixes = append(suffixes, "_l0_reverse")
	}
	for _, sfx := range suffixes {
		w, err := newRNNWeights(g, name, sfx, 4, input, hidden, bound, dt, rng)
		if err != nil {
			return nil, errors.Wrapf(err, "lstm %q", name)
		}
		l.Dirs = append(l.Dirs, w)
	}
	return l, nil
}

// Params returns every direction's weight_ih, weight_hh, bias_ih, bias_hh,
// in state_dict order.
func (l *LSTM) Params() []*G.Node {
	var ps []*G.Node
	for _, w := range l.Dirs {
		ps = append(ps, w.WeightIH, w.WeightHH, w.BiasIH, w.BiasHH)
	}
	return ps
}

// Buffers returns nil: LSTM has no buffers.
func (l *LSTM) Buffers() []*Buffer { return nil }

// Forward runs the LSTM over x of shape [B, T, Input].
//
// Step t reads x[:, t, :] with ops.TimeStep, a row copy into a
// preallocated buffer (no time-major transpose of the sequence).
func (l *LSTM) Forward(x *G.Node) (out *LSTMOutput, err error) {
	defer panics.Recover(&err, "lstm %q", l.Name)
	s := x.Shape()
	if x.Dims() != 3 || s[2] != l.Input {
		return nil, errors.Errorf("lstm %q: input %q has shape %v, want [batch, time, %d]", l.Name, x.Name(), s, l.Input)
	}
	b, steps := s[0], s[1]
	out = &LSTMOutput{}
	for d, w := range l.Dirs {
		hs, h, c, err := l.direction(x, w, b, steps, d == 1)
		if err != nil {
			return nil, errors.Wrapf(err, "lstm %q direction %d", l.Name, d)
		}
		out.Steps = append(out.Steps, hs)
		out.HN = append(out.HN, h)
		out.CN = append(out.CN, c)
	}
	return out, nil
}

// direction runs one direction's recurrence over x [B, T, In]; reverse
// walks t = T-1 ... 0. It returns the hidden state of every step (indexed
// by t) and the final h and c.
//
// Each step reads its input and projects it on its own: reading the input
// needs no gradient (x is data), whereas slicing one [B*T, 4H] projection
// of all steps would make every step's backward pass fill a whole
// [B*T, 4H] gradient, O(T²) work.
func (l *LSTM) direction(x *G.Node, w *LSTMWeights, b, steps int, reverse bool) (hs []*G.Node, h, c *G.Node, err error) {
	bias, err := ops.Add(w.BiasIH, w.BiasHH)
	if err != nil {
		return nil, nil, nil, err
	}
	if steps == 1 { // h0 = 0 must still reach W_hh, or it would be unused
		if h, err = l.zeroState(x, b); err != nil {
			return nil, nil, nil, err
		}
	}
	hs = make([]*G.Node, steps)
	for k := range steps {
		t := k
		if reverse {
			t = steps - 1 - k
		}
		gates, err := l.gates(x, w.WeightIH, w.WeightHH, bias, h, t)
		if err != nil {
			return nil, nil, nil, errors.Wrapf(err, "time step %d", t)
		}
		if h, c, err = l.cell(gates, c); err != nil {
			return nil, nil, nil, errors.Wrapf(err, "time step %d", t)
		}
		hs[t] = h
	}
	return hs, h, c, nil
}

// gates returns x_t W_ih^T + (b_ih + b_hh) [+ h W_hh^T], [B, 4H], with
// x_t = x[:, t, :]; h nil means h = 0. The products are fused ops with W's
// transpose flag (ops.Linear, ops.Gemm): no transposed copy of the
// weights.
func (l *LSTM) gates(x, wih, whh, bias, h *G.Node, t int) (*G.Node, error) {
	xt, err := ops.TimeStep(x, t)
	if err != nil {
		return nil, err
	}
	pre, err := ops.Linear(xt, wih, bias)
	if err != nil {
		return nil, errors.Wrap(err, "input projection")
	}
	if h == nil {
		return pre, nil
	}
	hw, err := ops.Gemm(h, whh, false, true)
	if err != nil {
		return nil, errors.Wrap(err, "recurrent projection")
	}
	return ops.Add(pre, hw)
}

// zeroState returns a zero [B, H] constant of xs's dtype.
func (l *LSTM) zeroState(xs *G.Node, b int) (*G.Node, error) {
	return compiler.Constant(xs.Graph(), tensor.New(tensor.Of(xs.Dtype()), tensor.WithShape(b, l.Hidden)))
}

// cell applies the gate nonlinearities to gates [B, 4H] (order i, f, g, o)
// and returns h' = o ⊙ tanh(c'), c' = f ⊙ c + i ⊙ g (c nil means c = 0),
// as three fused ops (ops.LSTMGates, ops.LSTMCellC, ops.LSTMCellH): no
// gate slices, each activation computed once.
func (l *LSTM) cell(gates, c *G.Node) (h2, c2 *G.Node, err error) {
	if c == nil {
		if c, err = l.zeroState(gates, gates.Shape()[0]); err != nil {
			return nil, nil, err
		}
	}
	act, err := ops.LSTMGates(gates)
	if err != nil {
		return nil, nil, err
	}
	if c2, err = ops.LSTMCellC(act, c); err != nil {
		return nil, nil, err
	}
	h2, err = ops.LSTMCellH(act, c2)
	return h2, c2, err
}
