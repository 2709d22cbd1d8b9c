package ops_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

var extremeLogits = []float64{100, -100, 1000, -1000, 0.5, -3}

// TestBCEWithLogitsExtremeLogits guards the stable form: at logits ±100 and
// ±1000 the loss is finite and equals max(x,0) - x·t + log1p(e^-|x|), and
// the gradient is (σ(x) - t)/N.
func TestBCEWithLogitsExtremeLogits(t *testing.T) {
	targets := []float64{0, 1, 0.3, 1, 0, 0.7}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			_, loss, grads := scalarRun(t, dt, []arg{{name: "x", shape: []int{6}, values: extremeLogits, param: true},
				{name: "t", shape: []int{6}, values: targets}},
				func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.BCEWithLogits(n[0], n[1]) })
			want := 0.0
			for i, x := range extremeLogits {
				want += math.Max(x, 0) - x*targets[i] + math.Log1p(math.Exp(-math.Abs(x)))
			}
			want /= 6
			if !near(loss, want, tolFor(dt)) {
				t.Errorf("loss %v, want %v", loss, want)
			}
			for i, x := range extremeLogits {
				if g := (sigmoid(x) - targets[i]) / 6; !near(grads[0][i], g, tolFor(dt)) {
					t.Errorf("grad[%d] at x=%v: %v, want %v", i, x, grads[0][i], g)
				}
			}
		})
	}
}

// TestCrossEntropyExtremeLogits guards the fused, stable cross-entropy: at
// logits ±100 and ±1000 the loss equals logsumexp(x_b) - x_b[c_b] and the
// gradient is (softmax(x) - onehot(c))/B.
func TestCrossEntropyExtremeLogits(t *testing.T) {
	x := []float64{
		1000, -1000, 0, 5,
		-100, 100, 100, -1000,
		-1000, -1000, -1000, -999,
	}
	classes := []float64{1, 2, 0}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			_, loss, grads := scalarRun(t, dt, []arg{{name: "x", shape: []int{3, 4}, values: x, param: true},
				{name: "c", shape: []int{3}, values: classes, ints: true}},
				func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.CrossEntropy(n[0], n[1]) })
			want := 0.0
			for b := 0; b < 3; b++ {
				row := x[b*4 : b*4+4]
				m := math.Inf(-1)
				for _, v := range row {
					m = math.Max(m, v)
				}
				s := 0.0
				for _, v := range row {
					s += math.Exp(v - m)
				}
				lse := m + math.Log(s)
				want += lse - row[int(classes[b])]
				for j, v := range row {
					g := math.Exp(v-lse) / 3
					if j == int(classes[b]) {
						g -= 1.0 / 3
					}
					if !near(grads[0][b*4+j], g, tolFor(dt)) {
						t.Errorf("grad[%d,%d] %v, want %v", b, j, grads[0][b*4+j], g)
					}
				}
			}
			if !near(loss, want/3, tolFor(dt)) {
				t.Errorf("loss %v, want %v", loss, want/3)
			}
		})
	}
}

// TestCrossEntropyMatchesLogSoftmaxNLL checks the fused op against its
// composite of primitives, nll(logsoftmax(x)), in value and gradient, for
// both reductions.
func TestCrossEntropyMatchesLogSoftmaxNLL(t *testing.T) {
	c := drawCase([]ops.Input{{Name: "x", Shape: []int{5, 4}, Domain: ops.Domain{Min: -5, Max: 5}}, {Name: "c", Shape: []int{5}, Classes: 4}}, 3)
	args := []arg{{name: "x", shape: []int{5, 4}, values: c.values[0], param: true}, {name: "c", shape: []int{5}, values: c.values[1], ints: true}}
	for _, r := range []ops.Reduction{ops.Mean, ops.Sum} {
		_, l1, g1 := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.CrossEntropy(n[0], n[1], r) })
		_, l2, g2 := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
			ls, err := ops.LogSoftmax(n[0], -1)
			if err != nil {
				return nil, err
			}
			return ops.NLL(ls, n[1], r)
		})
		if !near(l1, l2, 1e-12) {
			t.Errorf("%v: fused %v, composite %v", r, l1, l2)
		}
		for i := range g1[0] {
			if !near(g1[0][i], g2[0][i], 1e-12) {
				t.Errorf("%v: grad[%d] fused %v, composite %v", r, i, g1[0][i], g2[0][i])
			}
		}
	}
}

// TestCrossEntropyRejectsBadClasses checks that a class index out of range
// is an error, not a panic or a silent wrong value.
func TestCrossEntropyRejectsBadClasses(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"), G.WithInit(G.Zeroes()))
	c := G.NewVector(g, tensor.Int64, G.WithShape(2), G.WithName("c"), G.WithValue(tensor.New(tensor.WithBacking([]int64{0, 3}))))
	out, err := ops.CrossEntropy(x, c)
	if err != nil {
		t.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err == nil {
		t.Fatalf("class 3 of 3 accepted, loss %v", out.Value())
	}
	if _, err := ops.CrossEntropy(x, x); err == nil {
		t.Error("float classes accepted")
	}
}

// TestBCEClampsLogAtMinus100 checks PyTorch's clamp: p = 0 with t = 1 gives
// a loss of 100 per element, not +Inf.
func TestBCEClampsLogAtMinus100(t *testing.T) {
	_, loss, _ := scalarRun(t, tensor.Float64, []arg{{name: "p", shape: []int{2}, values: []float64{0, 1}, param: true},
		{name: "t", shape: []int{2}, values: []float64{1, 0}}},
		func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.BCE(n[0], n[1]) })
	if loss != 100 {
		t.Errorf("loss %v, want 100", loss)
	}
}

// TestLossReductions checks Sum = N · Mean for every pair loss.
func TestLossReductions(t *testing.T) {
	c := drawCase([]ops.Input{{Name: "p", Shape: []int{3, 2}, Domain: ops.Domain{Min: 0.1, Max: 0.9}}, {Name: "t", Shape: []int{3, 2}, Domain: ops.Domain{Min: 0, Max: 1}}}, 9)
	args := []arg{{name: "p", shape: []int{3, 2}, values: c.values[0], param: true}, {name: "t", shape: []int{3, 2}, values: c.values[1]}}
	losses := map[string]func(p, t *G.Node, r ...ops.Reduction) (*G.Node, error){
		"mse": ops.MSE, "l1": ops.L1Loss, "bce": ops.BCE, "bcewithlogits": ops.BCEWithLogits,
		"smoothl1": func(p, t *G.Node, r ...ops.Reduction) (*G.Node, error) { return ops.SmoothL1(p, t, 0.2, r...) },
		"huber":    func(p, t *G.Node, r ...ops.Reduction) (*G.Node, error) { return ops.Huber(p, t, 0.2, r...) },
	}
	for name, f := range losses {
		_, mean, _ := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return f(n[0], n[1]) })
		_, sum, _ := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return f(n[0], n[1], ops.Sum) })
		if !near(sum, 6*mean, 1e-12) {
			t.Errorf("%s: sum %v, 6·mean %v", name, sum, 6*mean)
		}
	}
}
