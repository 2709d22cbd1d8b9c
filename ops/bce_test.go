package ops_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

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
