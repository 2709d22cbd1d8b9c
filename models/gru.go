package models

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

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
	bound := 1 / math.Sqrt(float64(hidden))
	dirs := l.dirs()
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
			w, err := newRNNWeights(g, name, sfx, 3, in, hidden, bound, dt, rng)
			if err != nil {
				return nil, errors.Wrapf(err, "gru %q", name)
			}
			l.Weights = append(l.Weights, w)
		}
	}
	return l, nil
}

// newRNNWeights adds one direction's weight_ih, weight_hh, bias_ih and
// bias_hh (gates·hidden rows each), drawn from U(-bound, bound) in that
// order.
func newRNNWeights(g *G.ExprGraph, name, sfx string, gates, in, hidden int, bound float64, dt tensor.Dtype, rng *rand.Rand) (*RNNWeights, error) {
	w := &RNNWeights{}
	for _, p := range []struct {
		field **G.Node
		name  string
		shape []int
	}{
		{&w.WeightIH, "weight_ih", []int{gates * hidden, in}},
		{&w.WeightHH, "weight_hh", []int{gates * hidden, hidden}},
		{&w.BiasIH, "bias_ih", []int{gates * hidden}},
		{&w.BiasHH, "bias_hh", []int{gates * hidden}},
	} {
		var err error
		if *p.field, err = compiler.NewParam(g, name+"."+p.name+sfx, Uniform(rng, dt, bound, p.shape...)); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func (l *GRU) dirs() int {
	if l.Bidirectional {
		return 2
	}
	return 1
}

// Params returns every layer's and direction's weight_ih, weight_hh,
// bias_ih, bias_hh, in state_dict order.
func (l *GRU) Params() []*G.Node {
	var ps []*G.Node
	for _, w := range l.Weights {
		ps = append(ps, w.WeightIH, w.WeightHH, w.BiasIH, w.BiasHH)
	}
	return ps
}

// Buffers returns nil: GRU has no buffers.
func (l *GRU) Buffers() []*Buffer { return nil }

// Forward runs the GRU over x of shape [B, T, Input].
func (l *GRU) Forward(x *G.Node) (out *GRUOutput, err error) {
	defer panics.Recover(&err, "gru %q", l.Name)
	s := x.Shape()
	if x.Dims() != 3 || s[2] != l.Input || s[1] < 1 {
		return nil, errors.Errorf("gru %q: input %q has shape %v, want [batch, time, %d]", l.Name, x.Name(), s, l.Input)
	}
	if x.Dtype() != l.Weights[0].WeightIH.Dtype() {
		return nil, errors.Errorf("gru %q: input %q is %v, the weights are %v", l.Name, x.Name(), x.Dtype(), l.Weights[0].WeightIH.Dtype())
	}
	b, steps := s[0], s[1]
	h0, err := compiler.Constant(x.Graph(), tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(b, l.Hidden)))
	if err != nil {
		return nil, err
	}
	input := func(t int) (*G.Node, error) { return ops.TimeStep(x, t) }
	out = &GRUOutput{}
	for k := range l.Layers {
		out.Steps = nil
		for d := range l.dirs() {
			hs, err := l.direction(input, l.Weights[k*l.dirs()+d], h0, steps, d == 1)
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
	hs := make([]*G.Node, steps)
	h := h0
	for k := range steps {
		t := k
		if reverse {
			t = steps - 1 - k
		}
		xt, err := input(t)
		if err != nil {
			return nil, errors.Wrapf(err, "time step %d", t)
		}
		if h, err = l.cell(xt, h, w); err != nil {
			return nil, errors.Wrapf(err, "time step %d", t)
		}
		hs[t] = h
	}
	return hs, nil
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

var _ Module = (*GRU)(nil)
