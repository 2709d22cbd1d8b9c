package models

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
)

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
			x, err := compiler.NewInput(g, "x", tensor.Float64, batch, tc.steps, in)
			if err != nil {
				t.Fatal(err)
			}
			l, err := NewLSTM(g, "lstm", in, hid, tc.bidi, tensor.Float64, NewRNG(5))
			if err != nil {
				t.Fatal(err)
			}
			out, err := l.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			outs := append(append([]*G.Node{}, out.HN...), out.CN...)
			loss := G.Must(G.Sum(G.Must(G.Concat(1, outs...))))
			p, err := compiler.Compile(loss, l.Params(), compiler.WithOutputs(outs...))
			if err != nil {
				t.Fatal(err)
			}
			xv := Uniform(NewRNG(9), tensor.Float64, 1.5, batch, tc.steps, in)
			if err := p.Bind("x", xv); err != nil {
				t.Fatal(err)
			}
			if err := p.RunLoss(compiler.Evaluation); err != nil {
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
