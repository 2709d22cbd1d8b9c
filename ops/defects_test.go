package ops_test

import (
	"math"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// unaryGrad returns f(x) summed and its gradient at xs.
func unaryGrad(t *testing.T, xs []float64, f func(*G.Node) (*G.Node, error)) (float64, []float64) {
	t.Helper()
	prog, _ := sumRun(t, []arg{{name: "x", shape: []int{len(xs)}, values: xs, param: true}},
		func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return f(n[0]) })
	return prog.Loss(), asFloat64s(prog.Params()[0].Grad)
}

// TestLog2GradientIsOneOverXLn2 guards symgrad's Log2 (Gorgonia's gradient
// is off by ln²2).
func TestLog2GradientIsOneOverXLn2(t *testing.T) {
	xs := []float64{0.5, 1, 3}
	_, ours := unaryGrad(t, xs, ops.Log2)
	_, theirs := unaryGrad(t, xs, G.Log2)
	for i, x := range xs {
		want := 1 / (x * math.Ln2)
		if !near(ours[i], want, 1e-12) {
			t.Errorf("log2'(%v) = %v, want %v", x, ours[i], want)
		}
		if near(theirs[i], want, 1e-6) {
			t.Logf("Gorgonia's Log2 gradient is right at %v now", x)
		}
	}
}

// TestInvSqrtGradient guards symgrad's InvSqrt (Gorgonia's gradient is
// wrong).
func TestInvSqrtGradient(t *testing.T) {
	xs := []float64{0.25, 1, 4}
	_, ours := unaryGrad(t, xs, ops.InvSqrt)
	_, theirs := unaryGrad(t, xs, G.InverseSqrt)
	wrong := 0
	for i, x := range xs {
		want := -0.5 * math.Pow(x, -1.5)
		if !near(ours[i], want, 1e-12) {
			t.Errorf("invsqrt'(%v) = %v, want %v", x, ours[i], want)
		}
		if !near(theirs[i], want, 1e-6) {
			wrong++
		}
	}
	if wrong == 0 {
		t.Log("Gorgonia's InverseSqrt gradient is right now")
	}
}

// TestReshapeDoesNotOverwriteItsInput guards against Gorgonia's aliasing
// Reshape: with reshape(x) ⊙ c, running twice must leave the parameter x
// alone and give the same loss.
func TestReshapeDoesNotOverwriteItsInput(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 5, 6}
	prog, _ := sumRun(t, []arg{{name: "x", shape: []int{2, 3}, values: xs, param: true}},
		func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
			r, err := ops.Reshape(n[0], 3, 2)
			if err != nil {
				return nil, err
			}
			c, err := ops.Exp(r) // any op after the reshape
			if err != nil {
				return nil, err
			}
			return G.HadamardProd(r, c)
		})
	l1 := prog.Loss()
	if err := prog.RunTrain(); err != nil {
		t.Fatal(err)
	}
	if got := prog.Params()[0].Value.Float64s(); !slices.Equal(got, xs) {
		t.Fatalf("the parameter changed to %v", got)
	}
	if l2 := prog.Loss(); l2 != l1 {
		t.Errorf("loss changed between runs: %v then %v", l1, l2)
	}
}

// TestGorgoniaLogSumExpIsWrong documents the defect and checks symgrad's
// LogSumExp value, including at ±1000.
func TestGorgoniaLogSumExpIsWrong(t *testing.T) {
	xs := []float64{1, 2, 3}
	want := math.Log(math.Exp(1) + math.Exp(2) + math.Exp(3))
	ours, _ := unaryGrad(t, xs, func(x *G.Node) (*G.Node, error) { return ops.LogSumExp(x, 0) })
	theirs, _ := unaryGrad(t, xs, func(x *G.Node) (*G.Node, error) { return G.LogSumExp(x, 0) })
	if !near(ours, want, 1e-12) {
		t.Errorf("logsumexp = %v, want %v", ours, want)
	}
	if near(theirs, want, 1e-6) {
		t.Log("Gorgonia's LogSumExp is right now")
	}
	big, grad := unaryGrad(t, []float64{1000, 1000, -1000}, func(x *G.Node) (*G.Node, error) { return ops.LogSumExp(x, -1) })
	if !near(big, 1000+math.Ln2, 1e-12) || !near(grad[0], 0.5, 1e-12) || grad[2] != 0 {
		t.Errorf("logsumexp at ±1000 = %v, gradient %v", big, grad)
	}
}

// TestSigmoidAndSoftplusAreStable checks the values and gradients at large
// |x|, where Gorgonia's clamped forms are exactly 1 / x and their gradients
// jump.
func TestSigmoidAndSoftplusAreStable(t *testing.T) {
	xs := []float64{-1000, -30, 20, 30, 1000}
	_, gs := unaryGrad(t, xs, ops.Sigmoid)
	sp, gsp := unaryGrad(t, xs, ops.Softplus)
	wantSP := 0.0
	for i, x := range xs {
		s := sigmoid(x)
		if !near(gs[i], s*(1-s), 1e-12) || !near(gsp[i], s, 1e-12) {
			t.Errorf("x=%v: sigmoid' %v (want %v), softplus' %v (want %v)", x, gs[i], s*(1-s), gsp[i], s)
		}
		wantSP += math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
	}
	if !near(sp, wantSP, 1e-12) {
		t.Errorf("softplus sum %v, want %v", sp, wantSP)
	}
	if _, g := unaryGrad(t, []float64{20}, G.Sigmoid); g[0] != 0 {
		t.Logf("Gorgonia's sigmoid gradient at 20 is %v now (was 0)", g[0])
	}
}

// TestSoftmaxAlongAnyAxis checks softmax sums to 1 along its axis
// (negative axes included) and stays finite at ±1000, and that softmax and
// logsoftmax of one node are distinct nodes (Gorgonia's issue 569).
func TestSoftmaxAlongAnyAxis(t *testing.T) {
	xs := []float64{1000, -1000, 0, 1, 2, 3, -1000, 1000, 5, 4, 3, 2}
	for _, axis := range []int{0, 1, 2, -1, -3} {
		var sm, ls *G.Node
		prog, _, _ := scalarRun(t, tensor.Float64, []arg{{name: "x", shape: []int{2, 3, 2}, values: xs, param: true}},
			func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
				var err error
				if sm, err = ops.Softmax(n[0], axis); err != nil {
					return nil, err
				}
				if ls, err = ops.LogSoftmax(n[0], axis); err != nil {
					return nil, err
				}
				s, err := ops.SumAlong(sm, axis)
				if err != nil {
					return nil, err
				}
				l, err := G.Sum(s)
				if err != nil {
					return nil, err
				}
				m, err := G.Sum(ls)
				if err != nil {
					return nil, err
				}
				z, err := G.Mul(m, G.NewConstant(0.0))
				if err != nil {
					return nil, err
				}
				return G.Add(l, z)
			})
		want := float64(12 / []int{2, 3, 2}[(axis+3)%3])
		if !near(prog.Loss(), want, 1e-12) {
			t.Errorf("axis %d: Σ softmax = %v, want %v", axis, prog.Loss(), want)
		}
		if sm == ls {
			t.Errorf("axis %d: softmax and logsoftmax merged", axis)
		}
	}
}

// TestAvgPool2DGradientWithPadding documents Gorgonia's wrong gradient and
// checks symgrad's numerically on the same case.
func TestAvgPool2DGradientWithPadding(t *testing.T) {
	c := drawCase([]ops.Input{{Name: "x", Shape: []int{1, 2, 5, 5}, Domain: ops.Real}}, 11)
	ours := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		return ops.AvgPool2D(n[0], [2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1})
	}
	theirs := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		return G.AveragePool2D(n[0], tensor.Shape{3, 3}, []int{1, 1}, []int{2, 2})
	}
	if err := checkGradient(c, ours, nil); err != nil {
		t.Error(err)
	}
	if err := checkGradient(c, theirs, nil); err == nil {
		t.Log("Gorgonia's AveragePool2D gradient passes now")
	}
}
