package ops_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

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
