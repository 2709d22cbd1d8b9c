package ops_test

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/errtext"
	"github.com/symgrad/symgrad/ops"
)

// The losses: binary cross-entropy (on probabilities and on logits), the
// fused cross-entropy and its options, and the reductions of the pair
// losses.

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

// PyTorch's BCELoss backward is (p - t) / max(p(1 - p), 1e-12) / N: bounded
// where p saturates. The exact derivative of the clamped loss is not (at
// p = 1e-30, t = 1 it is -1e30 / N).
func TestBCEGradientIsPyTorchs(t *testing.T) {
	cases := []struct {
		p, t float64
		want float64 // d loss / dp with N = 1
	}{
		// PyTorch 1.13's values (the floor is float32(1e-12)).
		{0.999999999999999, 1, -0.0003330669087184166 * 3},
		{0.3, 1, (0.3 - 1) / (0.3 * 0.7)},
		{0.3, 0, 0.3 / (0.3 * 0.7)},
		{1e-30, 1, -333333334665.26764 * 3},
		{1e-30, 0, 1e-30 / float64(float32(1e-12))},
		{1 - 1e-15, 0, (1 - 1e-15) / float64(float32(1e-12))},
		{0.5, 0.25, 0.25 / 0.25},
		{1e-17, 0, 1e-17 / float64(float32(1e-12))}, // PyTorch 1.13: loss exactly 0
	}
	for _, c := range cases {
		args := []arg{{name: "p", shape: []int{1}, values: []float64{c.p}, param: true}, {name: "t", shape: []int{1}, values: []float64{c.t}, param: true}}
		_, loss, grads := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.BCE(n[0], n[1]) })
		if got := grads[0][0]; math.Abs(got-c.want) > 1e-14*math.Abs(c.want) {
			t.Errorf("p=%g t=%g: d/dp = %g, want PyTorch's %g", c.p, c.t, got, c.want)
		}
		wantT := math.Max(math.Log(1-c.p), -100) - math.Max(math.Log(c.p), -100)
		if gt := grads[1][0]; math.Abs(gt-wantT) > 1e-12*math.Abs(wantT)+1e-300 {
			t.Errorf("p=%g t=%g: d/dt = %g, want %g", c.p, c.t, gt, wantT)
		}
		wantLoss := -(c.t*math.Max(math.Log(c.p), -100) + (1-c.t)*math.Max(math.Log(1-c.p), -100))
		if math.Abs(loss-wantLoss) > 1e-12*math.Abs(wantLoss) {
			t.Errorf("p=%g t=%g: loss %g, want %g", c.p, c.t, loss, wantLoss)
		}
	}
}

// TestCrossEntropyOptionsGradients checks every combination of reduction,
// label smoothing and ignore index, with the weights as a node (whose
// gradient is checked too), against central differences.
func TestCrossEntropyOptionsGradients(t *testing.T) {
	spec, _ := ops.Lookup("crossentropyopt")
	inputs := []ops.Input{{Name: "x", Shape: []int{5, 4}, Domain: ops.Domain{Min: -3, Max: 3}},
		{Name: "c", Shape: []int{5}, Classes: 4}, {Name: "w", Shape: []int{4}, Domain: ops.Positive}}
	seed := uint64(7)
	for _, red := range []float64{0, 1, 2} {
		for _, eps := range []float64{0, 0.3} {
			for _, ignore := range []float64{-100, 1} {
				seed++
				name := fmt.Sprintf("red=%v eps=%v ignore=%v", red, eps, ignore)
				t.Run(name, func(t *testing.T) {
					params := []float64{eps, ignore, red}
					b := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return spec.Apply(n, params) }
					if err := checkGradient(drawCase(inputs, seed), b, nil); err != nil {
						t.Error(err)
					}
				})
			}
		}
	}
}

// TestCrossEntropyWithDefaultsIsCrossEntropy checks that the zero options
// give the fused CrossEntropy's loss and gradient, and that Sum is B times
// the Mean without weights.
func TestCrossEntropyWithDefaultsIsCrossEntropy(t *testing.T) {
	x := []float64{1, -2, 0.5, 3, 0, -1, 2, 2, -0.5}
	args := []arg{{name: "x", shape: []int{3, 3}, values: x, param: true}, {name: "c", shape: []int{3}, values: []float64{2, 0, 1}, ints: true}}
	_, l0, g0 := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.CrossEntropy(n[0], n[1]) })
	_, l1, g1 := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		return ops.CrossEntropyWith(n[0], n[1], ops.CrossEntropyOptions{})
	})
	_, l2, _ := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		return ops.CrossEntropyWith(n[0], n[1], ops.CrossEntropyOptions{Reduction: ops.Sum})
	})
	if !near(l1, l0, 1e-12) || !near(l2, 3*l0, 1e-12) {
		t.Fatalf("losses %v (with), %v (sum), want %v and %v", l1, l2, l0, 3*l0)
	}
	for i := range g0[0] {
		if !near(g1[0][i], g0[0][i], 1e-12) {
			t.Fatalf("grad[%d] %v, want %v", i, g1[0][i], g0[0][i])
		}
	}
}

// TestCrossEntropyIgnoreClassZero checks that SetIgnoreIndex can ignore
// class 0 (the padding class of many datasets): the loss is the mean over
// the other targets.
func TestCrossEntropyIgnoreClassZero(t *testing.T) {
	x := []float64{1, -2, 0.5, 3, 0, -1, 2, 2, -0.5}
	args := []arg{{name: "x", shape: []int{3, 3}, values: x, param: true}, {name: "c", shape: []int{3}, values: []float64{0, 2, 0}, ints: true}}
	_, l, g := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		return ops.CrossEntropyWith(n[0], n[1], ops.CrossEntropyOptions{IgnoreIndex: 0, SetIgnoreIndex: true})
	})
	row := x[3:6]
	want := math.Log(math.Exp(row[0])+math.Exp(row[1])+math.Exp(row[2])) - row[2]
	if !near(l, want, 1e-12) {
		t.Fatalf("loss %v, want %v (sample 1 alone)", l, want)
	}
	for _, i := range []int{0, 1, 2, 6, 7, 8} {
		if g[0][i] != 0 {
			t.Fatalf("grad[%d] = %v, want 0 for an ignored sample", i, g[0][i])
		}
	}
}

// TestCrossEntropyWithErrors checks that bad options and inputs are errors
// naming the loss and the thing at fault.
func TestCrossEntropyWithErrors(t *testing.T) {
	g := G.NewGraph()
	x := mustParam(g, "x", 2, 3)
	c := mustInput(g, "c", tensor.Int64, 2)
	cases := []struct {
		opts ops.CrossEntropyOptions
		want string
	}{
		{ops.CrossEntropyOptions{Weight: []float64{1, 2}}, "2 class weights, want 3"},
		{ops.CrossEntropyOptions{LabelSmoothing: 1.5}, "label smoothing 1.5 is outside [0, 1]"},
		{ops.CrossEntropyOptions{LabelSmoothing: math.NaN()}, "label smoothing NaN"},
		{ops.CrossEntropyOptions{Reduction: 7}, "unknown reduction 7"},
	}
	for _, tc := range cases {
		_, err := ops.CrossEntropyWith(x, c, tc.opts)
		if !errtext.Has(err, tc.want, "CrossEntropy") {
			t.Errorf("%+v: error %v, want one containing %q", tc.opts, err, tc.want)
		}
	}
	if _, err := ops.CrossEntropyWith(x, x, ops.CrossEntropyOptions{}); !errtext.Has(err, "classes must be int64") {
		t.Errorf("float classes: error %v", err)
	}
}

// TestCrossEntropyWithOutOfRangeClass checks the run-time error for a
// target that is neither a class nor the ignore index.
func TestCrossEntropyWithOutOfRangeClass(t *testing.T) {
	g := G.NewGraph()
	x := mustParam(g, "x", 2, 3)
	c := mustInput(g, "c", tensor.Int64, 2)
	loss, err := ops.CrossEntropyWith(x, c, ops.CrossEntropyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prog := compiled(t, loss, []*G.Node{x})
	if err := prog.Bind("c", tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{3, -100}))); err != nil {
		t.Fatal(err)
	}
	err = prog.RunTrain()
	if !errtext.Has(err, "class index 3 at 0 is out of range [0, 3) and not the ignore index -100") {
		t.Fatalf("error %v", err)
	}
}
