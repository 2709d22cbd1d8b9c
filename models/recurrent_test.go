package models

import (
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// refGRU runs one GRU direction with plain loops: PyTorch's equations,
// gate rows ordered r, z, n, b_ih and b_hh apart; x is [B][T][In]; it
// returns the hidden state of every step, [B][T][H], walking the steps in
// order.
func refGRU(x [][][]float64, wih, whh, bih, bhh []float64, in, hid int, order []int) [][][]float64 {
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	out := make([][][]float64, len(x))
	for b, xb := range x {
		h := make([]float64, hid)
		out[b] = make([][]float64, len(xb))
		for _, t := range order {
			gi, gh := make([]float64, 3*hid), make([]float64, 3*hid)
			for r := range gi {
				gi[r], gh[r] = bih[r], bhh[r]
				for k := 0; k < in; k++ {
					gi[r] += wih[r*in+k] * xb[t][k]
				}
				for k := 0; k < hid; k++ {
					gh[r] += whh[r*hid+k] * h[k]
				}
			}
			next := make([]float64, hid)
			for j := range next {
				r, z := sig(gi[j]+gh[j]), sig(gi[hid+j]+gh[hid+j])
				n := math.Tanh(gi[2*hid+j] + r*gh[2*hid+j])
				next[j] = (1-z)*n + z*h[j]
			}
			h = next
			out[b][t] = h
		}
	}
	return out
}

// gruHeads is a GRU as a Layer for the tests: the concatenation of every
// h_n and of the last layer's states at t = 0 and t = T-1.
type gruHeads struct{ gru *GRU }

func (l gruHeads) Params() []*G.Node  { return l.gru.Params() }
func (l gruHeads) Buffers() []*Buffer { return nil }
func (l gruHeads) Forward(x *G.Node) (*G.Node, error) {
	out, err := l.gru.Forward(x)
	if err != nil {
		return nil, err
	}
	parts := append([]*G.Node(nil), out.HN...)
	for _, s := range out.Steps {
		parts = append(parts, s[0], s[len(s)-1])
	}
	return ops.Concat(1, parts...)
}

// TestGRUReference checks a one-layer GRU's states at every step against
// refGRU (H=2, In=3), both directions.
func TestGRUReference(t *testing.T) {
	const b, steps, in, hid = 2, 4, 3, 2
	g := G.NewGraph()
	x := newInput(t, g, "x", tensor.Float64, b, steps, in)
	l, err := NewGRU(g, "gru", in, hid, 1, true, tensor.Float64, NewRNG(5))
	if err != nil {
		t.Fatal(err)
	}
	out, err := l.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	var nodes []*G.Node
	for _, s := range out.Steps {
		nodes = append(nodes, s...)
	}
	p := sumProgram(t, l.Params(), nodes...)
	xv := Uniform(NewRNG(9), tensor.Float64, 1, b, steps, in)
	if err := p.Bind("x", xv); err != nil {
		t.Fatal(err)
	}
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
	xs := make([][][]float64, b)
	for i := range xs {
		xs[i] = make([][]float64, steps)
		for k := range xs[i] {
			xs[i][k] = xv.Float64s()[(i*steps+k)*in : (i*steps+k+1)*in]
		}
	}
	for d, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}} {
		w := l.Weights[d]
		val := func(n *G.Node) []float64 { return n.Value().Data().([]float64) }
		want := refGRU(xs, val(w.WeightIH), val(w.WeightHH), val(w.BiasIH), val(w.BiasHH), in, hid, order)
		for k := 0; k < steps; k++ {
			got := p.Output(d*steps + k).(*tensor.Dense).Float64s()
			for i := 0; i < b; i++ {
				for j := 0; j < hid; j++ {
					if diff := math.Abs(got[i*hid+j] - want[i][k][j]); diff > 1e-12 {
						t.Errorf("direction %d step %d h[%d][%d] = %g, want %g", d, k, i, j, got[i*hid+j], want[i][k][j])
					}
				}
			}
		}
	}
}

// TestGRUGradients checks every parameter's gradient numerically for one
// and two layers, one and two directions, and a single time step.
func TestGRUGradients(t *testing.T) {
	for _, tc := range []struct {
		name          string
		layers, steps int
		bidi          bool
	}{
		{"1 layer", 1, 4, false},
		{"2 layers bidirectional", 2, 3, true},
		{"3 layers", 3, 2, false},
		{"1 step bidirectional", 1, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := G.NewGraph()
			x := newInput(t, g, "x", tensor.Float64, 2, tc.steps, 3)
			l, err := NewGRU(g, "gru", 3, 2, tc.layers, tc.bidi, tensor.Float64, NewRNG(2))
			if err != nil {
				t.Fatal(err)
			}
			if want := 4 * tc.layers * (1 + btoiTest(tc.bidi)); len(l.Params()) != want {
				t.Fatalf("%d params, want %d", len(l.Params()), want)
			}
			p := layerProgram(t, gruHeads{l}, g, x)
			numericCheck(t, p, 30, 1, 2)
		})
	}
}

func btoiTest(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestGRUNames checks PyTorch's state_dict names for two bidirectional
// layers.
func TestGRUNames(t *testing.T) {
	l, err := NewGRU(G.NewGraph(), "rnn", 3, 2, 2, true, tensor.Float64, NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range l.Params() {
		got = append(got, fmt.Sprintf("%s %v", p.Name(), p.Shape()))
	}
	want := []string{"rnn.weight_ih_l0 (6, 3)", "rnn.weight_hh_l0 (6, 2)", "rnn.bias_ih_l0 (6)", "rnn.bias_hh_l0 (6)",
		"rnn.weight_ih_l0_reverse (6, 3)", "rnn.weight_hh_l0_reverse (6, 2)", "rnn.bias_ih_l0_reverse (6)", "rnn.bias_hh_l0_reverse (6)",
		"rnn.weight_ih_l1 (6, 4)", "rnn.weight_hh_l1 (6, 2)", "rnn.bias_ih_l1 (6)", "rnn.bias_hh_l1 (6)",
		"rnn.weight_ih_l1_reverse (6, 4)", "rnn.weight_hh_l1_reverse (6, 2)", "rnn.bias_ih_l1_reverse (6)", "rnn.bias_hh_l1_reverse (6)"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("params:\n got %v\nwant %v", got, want)
	}
	if m := maxAbs(l.Weights[0].WeightIH.Value().(*tensor.Dense)); m == 0 || m > 1/math.Sqrt(2) {
		t.Errorf("U(-1/sqrt(H), 1/sqrt(H)) init: max |w| = %g", m)
	}
}

// TestGRUErrors checks that bad sizes and inputs are errors naming the
// layer and the shapes.
func TestGRUErrors(t *testing.T) {
	if _, err := NewGRU(G.NewGraph(), "gru", 0, 2, 1, false, tensor.Float64, NewRNG(1)); err == nil || !strings.Contains(err.Error(), `gru "gru"`) {
		t.Errorf("input size 0: error %v", err)
	}
	// NewGRU used to panic on a nil rng (no checkInit); it is an error now.
	if _, err := NewGRU(G.NewGraph(), "gru", 3, 2, 1, false, tensor.Float64, nil); err == nil || !strings.Contains(err.Error(), `gru "gru": nil rng`) {
		t.Errorf("nil rng: error %v", err)
	}
}

// TestRecurrentInputErrors checks that the GRU and the LSTM refuse a bad
// input with an error naming the layer, the input and its shape or dtype
// (checkSequence; the LSTM used to skip the dtype check).
func TestRecurrentInputErrors(t *testing.T) {
	g := G.NewGraph()
	gru, err := NewGRU(g, "gru", 3, 2, 1, false, tensor.Float64, NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	lstm, err := NewLSTM(g, "lstm", 3, 2, true, tensor.Float64, NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	forward := map[string]func(x *G.Node) error{
		"gru":  func(x *G.Node) error { _, err := gru.Forward(x); return err },
		"lstm": func(x *G.Node) error { _, err := lstm.Forward(x); return err },
	}
	for _, tc := range []struct {
		name  string
		dt    tensor.Dtype
		shape []int
		want  string
	}{
		{"x4", tensor.Float64, []int{2, 4, 4}, "has shape (2, 4, 4), want [batch, time, 3]"},
		{"x2", tensor.Float64, []int{2, 3}, "want [batch, time, 3]"},
		{"x32", tensor.Float32, []int{2, 4, 3}, "is float32, the weights are float64"},
	} {
		for _, layer := range []string{"gru", "lstm"} {
			x := newInput(t, g, layer+"."+tc.name, tc.dt, tc.shape...)
			named := fmt.Sprintf("%s %q: input %q", layer, layer, x.Name())
			if err := forward[layer](x); err == nil || !strings.Contains(err.Error(), named) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want one starting %s and containing %q", x.Name(), err, named, tc.want)
			}
		}
	}
}

// refLSTM runs one LSTM direction with plain loops: PyTorch's equations,
// gate rows ordered i, f, g, o; x is [B][T][In]; it returns h_n and c_n
// [B][H] after walking the time steps in order.
func refLSTM(x [][][]float64, wih, whh, bih, bhh []float64, in, hid int, order []int) (hn, cn [][]float64) {
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	for _, xb := range x {
		h := make([]float64, hid)
		c := make([]float64, hid)
		for _, t := range order {
			pre := make([]float64, 4*hid)
			for r := range pre {
				s := bih[r] + bhh[r]
				for k := 0; k < in; k++ {
					s += wih[r*in+k] * xb[t][k]
				}
				for k := 0; k < hid; k++ {
					s += whh[r*hid+k] * h[k]
				}
				pre[r] = s
			}
			for j := 0; j < hid; j++ {
				i, f, g := sig(pre[j]), sig(pre[hid+j]), math.Tanh(pre[2*hid+j])
				c[j] = f*c[j] + i*g
			}
			for j := 0; j < hid; j++ {
				h[j] = sig(pre[3*hid+j]) * math.Tanh(c[j])
			}
		}
		hn = append(hn, h)
		cn = append(cn, c)
	}
	return hn, cn
}

// TestLSTMReference checks the LSTM's final states against refLSTM on tiny
// cases (H=2, In=3), forward and reverse directions.
func TestLSTMReference(t *testing.T) {
	const in, hid, batch = 3, 2, 2
	for _, tc := range []struct {
		name  string
		steps int
		bidi  bool
	}{{"uni T=2", 2, false}, {"bidi T=2", 2, true}, {"uni T=1", 1, false}, {"bidi T=3", 3, true}} {
		t.Run(tc.name, func(t *testing.T) {
			g := G.NewGraph()
			x := newInput(t, g, "x", tensor.Float64, batch, tc.steps, in)
			l, err := NewLSTM(g, "lstm", in, hid, tc.bidi, tensor.Float64, NewRNG(5))
			if err != nil {
				t.Fatal(err)
			}
			out, err := l.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			outs := append(append([]*G.Node{}, out.HN...), out.CN...)
			p := sumProgram(t, l.Params(), outs...)
			xv := Uniform(NewRNG(9), tensor.Float64, 1.5, batch, tc.steps, in)
			if err := p.Bind("x", xv); err != nil {
				t.Fatal(err)
			}
			if err := p.RunInference(); err != nil {
				t.Fatal(err)
			}
			xs := make([][][]float64, batch)
			d := xv.Data().([]float64)
			for b := range xs {
				for s := 0; s < tc.steps; s++ {
					xs[b] = append(xs[b], d[(b*tc.steps+s)*in:(b*tc.steps+s+1)*in])
				}
			}
			dirs := len(l.Dirs)
			for di, w := range l.Dirs {
				order := make([]int, tc.steps)
				for s := range order {
					order[s] = s
					if di == 1 {
						order[s] = tc.steps - 1 - s
					}
				}
				v := func(n *G.Node) []float64 { return n.Value().Data().([]float64) }
				hn, cn := refLSTM(xs, v(w.WeightIH), v(w.WeightHH), v(w.BiasIH), v(w.BiasHH), in, hid, order)
				compare(t, "h_n", di, p.Output(di).Data().([]float64), hn)
				compare(t, "c_n", di, p.Output(dirs+di).Data().([]float64), cn)
			}
		})
	}
}

func compare(t *testing.T, what string, dir int, got []float64, want [][]float64) {
	t.Helper()
	hid := len(want[0])
	for b := range want {
		for j := range want[b] {
			if g, w := got[b*hid+j], want[b][j]; math.Abs(g-w) > 1e-13 {
				t.Errorf("%s[%d] batch %d unit %d = %.15g, reference %.15g", what, dir, b, j, g, w)
			}
		}
	}
}
