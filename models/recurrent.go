package models

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// The recurrent layers, GRU and LSTM. They share PyTorch's parameter
// layout and initialisation (RNNWeights, newRNNWeights), the input check
// and the walk over the time steps (sequenceStates); each has its own cell.

// GRU is PyTorch's nn.GRU with batch_first=True, any number of layers,
// optionally bidirectional (no dropout between layers). For each time step
// t, with gates in PyTorch's order r, z, n stacked in the 3H rows of the
// weights:
//
//	r = σ(W_ir x_t + b_ir + W_hr h + b_hr)    z = σ(W_iz x_t + b_iz + W_hz h + b_hz)
//	n = tanh(W_in x_t + b_in + r ⊙ (W_hn h + b_hn))
//	h' = (1 - z) ⊙ n + z ⊙ h
//
// with h0 = 0. b_ih and b_hh stay apart (r multiplies W_hn h + b_hn). The
// reverse direction runs the same recurrence with its own weights over the
// reversed sequence. Layer l > 0 reads the concatenation of layer l-1's
// directions at each step.
type GRU struct {
	Name                  string
	Input, Hidden, Layers int
	Bidirectional         bool
	// Weights holds layer 0's forward direction, then (if bidirectional)
	// its reverse direction, then layer 1's, ...: Weights[l*dirs + d].
	Weights []*RNNWeights
}

// RNNWeights are one layer's and direction's parameters, named
// <name>.weight_ih_l<k>, <name>.weight_hh_l<k>, <name>.bias_ih_l<k>,
// <name>.bias_hh_l<k> (with a "_reverse" suffix for the reverse
// direction), shapes [G·H, In], [G·H, H], [G·H], [G·H] for G gates.
type RNNWeights struct {
	WeightIH, WeightHH, BiasIH, BiasHH *G.Node
}

// GRUOutput is what a GRU computes for a batch.
type GRUOutput struct {
	// Steps[d][t] is the last layer's direction d hidden state at time
	// step t, [B, H] (PyTorch's output[:, t, d·H:(d+1)·H]).
	Steps [][]*G.Node
	// HN[l*dirs + d] is layer l's direction d final hidden state, [B, H]
	// (PyTorch's h_n[l*dirs + d]); the reverse direction's is at t = 0.
	HN []*G.Node
}

// NewGRU adds a GRU's parameters to g, every one drawn from
// U(-1/sqrt(hidden), 1/sqrt(hidden)) in state_dict order, as PyTorch does.
// layers 0 means 1.
func NewGRU(g *G.ExprGraph, name string, input, hidden, layers int, bidirectional bool, dt tensor.Dtype, rng *rand.Rand) (l *GRU, err error) {
	if layers == 0 {
		layers = 1
	}
	if input <= 0 || hidden <= 0 || layers < 0 {
		return nil, errors.Errorf("gru %q: sizes must be positive, got input=%d hidden=%d layers=%d", name, input, hidden, layers)
	}
	l = &GRU{Name: name, Input: input, Hidden: hidden, Layers: layers, Bidirectional: bidirectional}
	if l.Weights, err = newRNNWeights(g, "gru", name, 3, input, hidden, layers, bidirectional, dt, rng); err != nil {
		return nil, err
	}
	return l, nil
}

// Params returns every layer's and direction's weight_ih, weight_hh,
// bias_ih, bias_hh, in state_dict order.
func (l *GRU) Params() []*G.Node { return rnnParams(l.Weights) }

// Buffers returns nil: GRU has no buffers.
func (l *GRU) Buffers() []*Buffer { return nil }

// Forward runs the GRU over x of shape [B, T, Input].
func (l *GRU) Forward(x *G.Node) (out *GRUOutput, err error) {
	defer panics.Recover(&err, "gru %q", l.Name)
	if err := checkSequence("gru", l.Name, x, l.Input, l.Weights[0]); err != nil {
		return nil, err
	}
	b, steps := x.Shape()[0], x.Shape()[1]
	h0, err := zeroState(x, b, l.Hidden)
	if err != nil {
		return nil, err
	}
	input := func(t int) (*G.Node, error) { return ops.TimeStep(x, t) }
	out = &GRUOutput{}
	dirs := directions(l.Bidirectional)
	for k := range l.Layers {
		out.Steps = nil
		for d := range dirs {
			hs, err := l.direction(input, l.Weights[k*dirs+d], h0, steps, d == 1)
			if err != nil {
				return nil, errors.Wrapf(err, "gru %q layer %d direction %d", l.Name, k, d)
			}
			out.Steps = append(out.Steps, hs)
			last := hs[steps-1]
			if d == 1 {
				last = hs[0]
			}
			out.HN = append(out.HN, last)
		}
		input = layerInput(out.Steps)
	}
	return out, nil
}

// layerInput returns the input of the next layer at step t: the
// concatenation of steps[d][t] over the directions (built once per t).
func layerInput(steps [][]*G.Node) func(int) (*G.Node, error) {
	if len(steps) == 1 {
		return func(t int) (*G.Node, error) { return steps[0][t], nil }
	}
	cat := make([]*G.Node, len(steps[0]))
	return func(t int) (*G.Node, error) {
		if cat[t] != nil {
			return cat[t], nil
		}
		parts := make([]*G.Node, len(steps))
		for d := range steps {
			parts[d] = steps[d][t]
		}
		var err error
		cat[t], err = ops.Concat(1, parts...)
		return cat[t], err
	}
}

// direction runs one direction's recurrence from h0; reverse walks
// t = T-1 ... 0. It returns the hidden state of every step, indexed by t.
// Each step projects its own input (ops.Linear: x_t W_ihᵀ + b_ih) and the
// state (h W_hhᵀ + b_hh), two gemms, as the LSTM does.
func (l *GRU) direction(input func(int) (*G.Node, error), w *RNNWeights, h0 *G.Node, steps int, reverse bool) ([]*G.Node, error) {
	h := h0
	return sequenceStates(steps, reverse, func(t int) (*G.Node, error) {
		xt, err := input(t)
		if err != nil {
			return nil, err
		}
		h, err = l.cell(xt, h, w)
		return h, err
	})
}

// cell is one GRU step: the two projections (ops.Linear, W's transpose
// flag, no copy) and ops.GRUCell, the gates and h' = (1-z) ⊙ n + z ⊙ h in
// one pass.
func (l *GRU) cell(xt, h *G.Node, w *RNNWeights) (*G.Node, error) {
	gi, err := ops.Linear(xt, w.WeightIH, w.BiasIH)
	if err != nil {
		return nil, errors.Wrap(err, "input projection")
	}
	gh, err := ops.Linear(h, w.WeightHH, w.BiasHH)
	if err != nil {
		return nil, errors.Wrap(err, "recurrent projection")
	}
	return ops.GRUCell(gi, gh, h)
}

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
	l = &LSTM{Name: name, Input: input, Hidden: hidden, Bidirectional: bidirectional}
	if l.Dirs, err = newRNNWeights(g, "lstm", name, 4, input, hidden, 1, bidirectional, dt, rng); err != nil {
		return nil, err
	}
	return l, nil
}

// Params returns every direction's weight_ih, weight_hh, bias_ih, bias_hh,
// in state_dict order.
func (l *LSTM) Params() []*G.Node { return rnnParams(l.Dirs) }

// Buffers returns nil: LSTM has no buffers.
func (l *LSTM) Buffers() []*Buffer { return nil }

// Forward runs the LSTM over x of shape [B, T, Input].
//
// Step t reads x[:, t, :] with ops.TimeStep, a row copy into a
// preallocated buffer (no time-major transpose of the sequence).
func (l *LSTM) Forward(x *G.Node) (out *LSTMOutput, err error) {
	defer panics.Recover(&err, "lstm %q", l.Name)
	if err := checkSequence("lstm", l.Name, x, l.Input, l.Dirs[0]); err != nil {
		return nil, err
	}
	b, steps := x.Shape()[0], x.Shape()[1]
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
		if h, err = zeroState(x, b, l.Hidden); err != nil {
			return nil, nil, nil, err
		}
	}
	hs, err = sequenceStates(steps, reverse, func(t int) (*G.Node, error) {
		gates, err := l.gates(x, w.WeightIH, w.WeightHH, bias, h, t)
		if err != nil {
			return nil, err
		}
		h, c, err = l.cell(gates, c)
		return h, err
	})
	if err != nil {
		return nil, nil, nil, err
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

// cell applies the gate nonlinearities to gates [B, 4H] (order i, f, g, o)
// and returns h' = o ⊙ tanh(c'), c' = f ⊙ c + i ⊙ g (c nil means c = 0),
// as three fused ops (ops.LSTMGates, ops.LSTMCellC, ops.LSTMCellH): no
// gate slices, each activation computed once.
func (l *LSTM) cell(gates, c *G.Node) (h2, c2 *G.Node, err error) {
	if c == nil {
		if c, err = zeroState(gates, gates.Shape()[0], l.Hidden); err != nil {
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

// newRNNWeights adds the weights of a recurrent layer of kind ("gru",
// "lstm") with the given gates per unit: for each of its layers, the
// forward direction's and (if bidirectional) the reverse direction's
// weight_ih, weight_hh, bias_ih and bias_hh (gates·hidden rows each), all
// drawn from U(-1/sqrt(hidden), 1/sqrt(hidden)) in that order, as PyTorch
// does. Layer 0 reads input features, layer k > 0 the concatenated
// directions of layer k-1.
func newRNNWeights(g *G.ExprGraph, kind, name string, gates, input, hidden, layers int, bidirectional bool, dt tensor.Dtype, rng *rand.Rand) ([]*RNNWeights, error) {
	p := newLayerParams(g, kind, name, dt, rng)
	bound := 1 / math.Sqrt(float64(hidden))
	dirs := directions(bidirectional)
	var ws []*RNNWeights
	for k := range layers {
		in := input
		if k > 0 {
			in = dirs * hidden
		}
		for d := range dirs {
			sfx := fmt.Sprintf("_l%d", k)
			if d == 1 {
				sfx += "_reverse"
			}
			ws = append(ws, &RNNWeights{ // drawn in field order
				WeightIH: p.uniform("weight_ih"+sfx, bound, gates*hidden, in),
				WeightHH: p.uniform("weight_hh"+sfx, bound, gates*hidden, hidden),
				BiasIH:   p.uniform("bias_ih"+sfx, bound, gates*hidden),
				BiasHH:   p.uniform("bias_hh"+sfx, bound, gates*hidden),
			})
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return ws, nil
}

// directions is the number of directions a recurrent layer runs.
func directions(bidirectional bool) int {
	if bidirectional {
		return 2
	}
	return 1
}

// rnnParams returns every direction's weight_ih, weight_hh, bias_ih,
// bias_hh, in state_dict order.
func rnnParams(ws []*RNNWeights) []*G.Node {
	var ps []*G.Node
	for _, w := range ws {
		ps = append(ps, w.WeightIH, w.WeightHH, w.BiasIH, w.BiasHH)
	}
	return ps
}

// checkSequence checks that the input x of the kind ("gru") layer named
// name is a batch of sequences [batch, time >= 1, input] of the dtype of
// its weights w.
func checkSequence(kind, name string, x *G.Node, input int, w *RNNWeights) error {
	s := x.Shape()
	if x.Dims() != 3 || s[2] != input || s[1] < 1 {
		return errors.Errorf("%s %q: input %q has shape %v, want [batch, time, %d]", kind, name, x.Name(), s, input)
	}
	if x.Dtype() != w.WeightIH.Dtype() {
		return errors.Errorf("%s %q: input %q is %v, the weights are %v", kind, name, x.Name(), x.Dtype(), w.WeightIH.Dtype())
	}
	return nil
}

// sequenceStates runs step at t = 0 ... T-1 (T-1 ... 0 when reverse) and
// returns the hidden state each step returns, indexed by t.
func sequenceStates(steps int, reverse bool, step func(t int) (*G.Node, error)) ([]*G.Node, error) {
	hs := make([]*G.Node, steps)
	for k := range steps {
		t := k
		if reverse {
			t = steps - 1 - k
		}
		h, err := step(t)
		if err != nil {
			return nil, errors.Wrapf(err, "time step %d", t)
		}
		hs[t] = h
	}
	return hs, nil
}
