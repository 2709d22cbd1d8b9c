package ops_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// TestBatchNormRunningStatistics checks PyTorch's semantics: the output
// uses the biased batch variance; the running mean and variance move by the
// momentum towards the batch mean and the UNBIASED variance; the batch
// count increments; evaluation mode uses the running statistics.
func TestBatchNormRunningStatistics(t *testing.T) {
	x := []float64{1, 10, 2, 20, 6, 30} // [3, 2]: channel 0 = 1, 2, 6; channel 1 = 10, 20, 30
	stats := ops.NewBatchNormStats(2, tensor.Float64)
	prog, out := sumRun(t, []arg{{name: "x", shape: []int{3, 2}, values: x, param: true}},
		func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.BatchNorm(n[0], nil, nil, stats) })
	mean, biased := []float64{3, 20}, []float64{14.0 / 3, 200.0 / 3}
	for c := 0; c < 2; c++ {
		if got, want := stats.RunningMean.Float64s()[c], 0.1*mean[c]; !near(got, want, 1e-12) {
			t.Errorf("running mean[%d] = %v, want %v", c, got, want)
		}
		if got, want := stats.RunningVar.Float64s()[c], 0.9+0.1*biased[c]*3/2; !near(got, want, 1e-12) {
			t.Errorf("running var[%d] = %v, want %v (unbiased)", c, got, want)
		}
	}
	if stats.NumBatchesTracked != 1 {
		t.Errorf("num_batches_tracked = %d, want 1", stats.NumBatchesTracked)
	}
	got := out.Value().Data().([]float64)
	if want := (1 - 3) / math.Sqrt(14.0/3+1e-5); !near(got[0], want, 1e-12) {
		t.Errorf("training out[0,0] = %v, want %v", got[0], want)
	}
	rm, rv := stats.RunningMean.Float64s()[0], stats.RunningVar.Float64s()[0]
	evalLoss := evaluationLoss(t, prog)
	if stats.NumBatchesTracked != 1 {
		t.Errorf("evaluation changed num_batches_tracked to %d", stats.NumBatchesTracked)
	}
	want := 0.0
	for i, v := range x {
		c := i % 2
		want += (v - stats.RunningMean.Float64s()[c]) / math.Sqrt(stats.RunningVar.Float64s()[c]+1e-5)
	}
	if !near(evalLoss, want, 1e-12) || stats.RunningMean.Float64s()[0] != rm || stats.RunningVar.Float64s()[0] != rv {
		t.Errorf("evaluation loss %v, want %v (running statistics, unchanged)", evalLoss, want)
	}
}

// TestBatchNorm4DGradient checks BatchNorm on [N, C, H, W] numerically.
func TestBatchNorm4DGradient(t *testing.T) {
	c := drawCase([]ops.Input{{Name: "x", Shape: []int{2, 3, 2, 2}, Domain: ops.Real}, {Name: "g", Shape: []int{3}, Domain: ops.Real}, {Name: "b", Shape: []int{3}, Domain: ops.Real}}, 4)
	b := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.BatchNorm(n[0], n[1], n[2], nil) }
	if err := checkGradient(c, b, nil); err != nil {
		t.Error(err)
	}
}

// bnRun is what one batch-norm program produced over a few steps.
type bnRun struct {
	values  []float64 // per step: loss, output, gradients; then eval output; then running stats
	tracked int64
}

// runBatchNorm trains build's batch norm of x [N, C] for 3 steps (a new x
// each step; x is a param so that its gradient is recorded), then
// evaluates once, and records every value.
func runBatchNorm(t *testing.T, dt tensor.Dtype, build func(x, gm, bt *G.Node, s *ops.BatchNormStats) (*G.Node, error)) bnRun {
	t.Helper()
	const n, c = 6, 4
	in := []ops.Input{{Name: "x", Shape: []int{n, c}, Domain: ops.Domain{Min: -3, Max: 3}},
		{Name: "gamma", Shape: []int{c}, Domain: ops.Domain{Min: 0.5, Max: 1.5}}, {Name: "beta", Shape: []int{c}, Domain: ops.Domain{Min: -1, Max: 1}}}
	g := G.NewGraph()
	l, err := newLeaves(g, dt, drawCase(in, 3).args())
	if err != nil {
		t.Fatal(err)
	}
	stats := ops.NewBatchNormStats(c, dt)
	y, err := build(l.nodes[0], l.nodes[1], l.nodes[2], stats)
	if err != nil {
		t.Fatal(err)
	}
	loss, err := weightedSum(g, y, 9)
	if err != nil {
		t.Fatal(err)
	}
	p := compiled(t, loss, l.params, compiler.WithOutputs(y))
	var r bnRun
	for step := 0; step < 3; step++ {
		if step > 0 { // a new batch, written into x's tensor
			x := drawCase(in[:1], uint64(3+step)).values[0]
			if err := tensor.Copy(p.Params()[0].Value, denseOf(x, []int{n, c}, dt)); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.RunTrain(); err != nil {
			t.Fatal(err)
		}
		r.values = append(r.values, p.Loss())
		r.values = append(r.values, asFloat64s(p.Output(0).(*tensor.Dense))...)
		for _, prm := range p.Params() {
			r.values = append(r.values, asFloat64s(prm.Grad)...)
		}
	}
	if err := p.RunInference(); err != nil {
		t.Fatal(err)
	}
	r.values = append(r.values, asFloat64s(p.Output(0).(*tensor.Dense))...)
	r.values = append(r.values, asFloat64s(stats.RunningMean)...)
	r.values = append(r.values, asFloat64s(stats.RunningVar)...)
	r.tracked = stats.NumBatchesTracked
	return r
}

// TestBatchNormMatrixPathIsBitIdentical checks that BatchNorm of a matrix
// (ColSum and BroadcastRows, preallocated) gives the same bits as the
// G.Mean/expand composite it replaced: outputs, loss, gradients over three
// training steps, the evaluation output and the running statistics.
func TestBatchNormMatrixPathIsBitIdentical(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			want := runBatchNorm(t, dt, ops.BatchNormExpand)
			got := runBatchNorm(t, dt, ops.BatchNorm)
			if len(want.values) != len(got.values) || want.tracked != got.tracked || want.tracked != 3 {
				t.Fatalf("%d values, %d batches tracked; want %d, %d", len(got.values), got.tracked, len(want.values), want.tracked)
			}
			for i := range want.values {
				if math.Float64bits(want.values[i]) != math.Float64bits(got.values[i]) {
					t.Errorf("value %d: %v, want %v", i, got.values[i], want.values[i])
				}
			}
		})
	}
}
