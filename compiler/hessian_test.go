package compiler

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"
)

// H v against closed forms: for f = Σ φ(x_i), H = diag(φ”(x)), so
// (H v)_i = φ”(x_i) v_i. A second G.Grad on the first gradient's graph
// (Gorgonia reuses the stored first derivatives) gets exp and tanh² wrong.
func TestHVPClosedForms(t *testing.T) {
	cases := []struct {
		name string
		f    func(x *G.Node) (*G.Node, error)
		phi2 func(x float64) float64
	}{
		{"sum(x^3)", func(x *G.Node) (*G.Node, error) {
			return G.Sum(G.Must(G.Pow(x, MustConstant(x.Graph(), 3.0))))
		}, func(x float64) float64 { return 6 * x }},
		{"sum(exp(x))", func(x *G.Node) (*G.Node, error) { return G.Sum(G.Must(G.Exp(x))) },
			math.Exp},
		{"sum(tanh(x)^2)", func(x *G.Node) (*G.Node, error) {
			return G.Sum(G.Must(G.Square(G.Must(ops.Tanh(x)))))
		}, func(x float64) float64 { t := math.Tanh(x); s := 1 - t*t; return 2*s*s - 4*t*t*s }},
		{"sum(softplus(x))", func(x *G.Node) (*G.Node, error) { return G.Sum(G.Must(ops.Softplus(x))) },
			func(x float64) float64 { s := 1 / (1 + math.Exp(-x)); return s * (1 - s) }},
		{"sum(log(x*x+1))", func(x *G.Node) (*G.Node, error) {
			return G.Sum(G.Must(G.Log(G.Must(G.Add(G.Must(G.HadamardProd(x, x)), MustConstant(x.Graph(), 1.0))))))
		}, func(x float64) float64 { return 2 * (1 - x*x) / ((1 + x*x) * (1 + x*x)) }},
	}
	xs := []float64{-1.3, -0.2, 0.4, 1.1, 2.0}
	vs := []float64{0.5, -1, 2, 0.25, -0.75}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := G.NewGraph()
			x := G.Must(NewParam(g, "x", dense([]int{5}, append([]float64(nil), xs...)...)))
			loss, err := c.f(x)
			if err != nil {
				t.Fatal(err)
			}
			h, err := HVP(loss, []*G.Node{x})
			if err != nil {
				t.Fatal(err)
			}
			copy(h.Direction(0).Data().([]float64), vs)
			if err := h.Run(); err != nil {
				t.Fatal(err)
			}
			for i, got := range h.HV(0).Data().([]float64) {
				if want := c.phi2(xs[i]) * vs[i]; !near(got, want, 1e-12) {
					t.Errorf("(H v)[%d] = %v, want %v", i, got, want)
				}
			}
		})
	}
}

// The softmax pairing of the issue: f = Σ softmax(x) ⊙ c has a full
// Hessian in x and a cross term with c; H v is checked against central
// differences of the gradient.
func TestHVPMatchesGradientDifferences(t *testing.T) {
	g := G.NewGraph()
	x := G.Must(NewParam(g, "x", dense([]int{2, 3}, 0.3, -1, 2, 0.5, 0.1, -0.4)))
	c := G.Must(NewParam(g, "c", dense([]int{2, 3}, 1, -2, 0.5, 0.7, 1.5, -1)))
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(ops.Softmax(x, 1)), c))))
	h, err := HVP(loss, []*G.Node{x, c})
	if err != nil {
		t.Fatal(err)
	}
	v := [][]float64{{0.2, -0.5, 1, 0.3, 0.9, -0.1}, {-0.3, 0.4, 0.6, -1, 0.2, 0.5}}
	for i := range v {
		copy(h.Direction(i).Data().([]float64), v[i])
	}
	if err := h.Run(); err != nil {
		t.Fatal(err)
	}
	hv := [][]float64{append([]float64(nil), h.HV(0).Data().([]float64)...), append([]float64(nil), h.HV(1).Data().([]float64)...)}
	const eps = 1e-5
	grads := func(s float64) [][]float64 {
		vals := [][]float64{x.Value().Data().([]float64), c.Value().Data().([]float64)}
		for i := range vals {
			for k := range vals[i] {
				vals[i][k] += s * v[i][k]
			}
		}
		if err := h.Run(); err != nil {
			t.Fatal(err)
		}
		for i := range vals {
			for k := range vals[i] {
				vals[i][k] -= s * v[i][k]
			}
		}
		return [][]float64{append([]float64(nil), h.Grad(0).Data().([]float64)...), append([]float64(nil), h.Grad(1).Data().([]float64)...)}
	}
	plus, minus := grads(eps), grads(-eps)
	for i := range hv {
		for k := range hv[i] {
			num := (plus[i][k] - minus[i][k]) / (2 * eps)
			if math.Abs(num-hv[i][k]) > 1e-7 {
				t.Errorf("H v [%d][%d] = %v, numeric %v", i, k, hv[i][k], num)
			}
		}
	}
}

// An op whose gradient has no gradient is an error naming it.
func TestHVPNamesTheOpThatIsNotTwiceDifferentiable(t *testing.T) {
	g := G.NewGraph()
	x := G.Must(NewParam(g, "x", dense([]int{2, 3}, seq(6, 0.1)...)))
	loss := G.Must(ops.BCE(G.Must(ops.Sigmoid(x)), G.Must(NewInput(g, "t", x.Dtype(), 2, 3))))
	// BCESigmoid would make this bcewithlogits, which is twice
	// differentiable: without passes, BCE's gradient (PyTorch's bounded
	// (p - t)/max(p(1 - p), 1e-12)) has no derivative.
	_, err := HVP(loss, []*G.Node{x}, WithPasses(false))
	if err == nil || !strings.Contains(err.Error(), "bce'p") {
		t.Fatalf("got %v, want an error naming bce'p", err)
	}
	h, err := HVP(loss, []*G.Node{x})
	if err != nil {
		t.Fatalf("with passes (bce(sigmoid) -> bcewithlogits): %v", err)
	}
	if err := h.Run(); err != nil {
		t.Fatal(err)
	}
}

// Gorgonia's slice gradient gives wrong H v; HVP refuses it. symgrad's
// slice (ops.SliceAlong, a Narrow) is twice differentiable: for
// sum(x[:, 0:2]²), H v = 2v on the sliced columns and 0 elsewhere.
func TestHVPRefusesSliceGradients(t *testing.T) {
	g := G.NewGraph()
	x := G.Must(NewParam(g, "x", dense([]int{2, 3}, seq(6, 0.1)...)))
	loss := G.Must(G.Sum(G.Must(G.Square(G.Must(G.Slice(x, nil, G.S(0, 2)))))))
	_, err := HVP(loss, []*G.Node{x})
	if err == nil || !strings.Contains(err.Error(), "slice gradient") {
		t.Fatalf("got %v, want an error naming the slice gradient", err)
	}

	g = G.NewGraph()
	x = G.Must(NewParam(g, "x", dense([]int{2, 3}, seq(6, 0.1)...)))
	loss = G.Must(G.Sum(G.Must(G.Square(G.Must(ops.SliceAlong(x, 1, 0, 2))))))
	h, err := HVP(loss, []*G.Node{x})
	if err != nil {
		t.Fatalf("symgrad's slice: %v", err)
	}
	v := []float64{1, 2, 3, 4, 5, 6}
	copy(h.Direction(0).Data().([]float64), v)
	if err := h.Run(); err != nil {
		t.Fatal(err)
	}
	want := []float64{2, 4, 0, 8, 10, 0}
	for i, got := range h.HV(0).Data().([]float64) {
		if got != want[i] {
			t.Fatalf("H v = %v, want %v", h.HV(0).Data(), want)
		}
	}
}
