package ops_test

import (
	"fmt"
	"math"
	"math/rand/v2"
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
	rng := rand.New(rand.NewPCG(3, 4))
	draw := func(k int, lo, hi float64) *tensor.Dense {
		v := make([]float64, k)
		for i := range v {
			v[i] = lo + (hi-lo)*rng.Float64()
		}
		return denseOf(v, []int{k}, dt)
	}
	g := G.NewGraph()
	x0 := draw(n*c, -3, 3)
	if err := x0.Reshape(n, c); err != nil {
		t.Fatal(err)
	}
	x, err := compiler.NewParam(g, "x", x0)
	if err != nil {
		t.Fatal(err)
	}
	gm, _ := compiler.NewParam(g, "gamma", draw(c, 0.5, 1.5))
	bt, _ := compiler.NewParam(g, "beta", draw(c, -1, 1))
	stats := ops.NewBatchNormStats(c, dt)
	y, err := build(x, gm, bt, stats)
	if err != nil {
		t.Fatal(err)
	}
	loss, err := weightedSum(g, y, 9)
	if err != nil {
		t.Fatal(err)
	}
	p, err := compiler.Compile(loss, []*G.Node{x, gm, bt}, compiler.WithOutputs(y))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var r bnRun
	for step := 0; step < 3; step++ {
		if step > 0 { // a new batch, written into x's tensor
			if err := tensor.Copy(x0, draw(n*c, -3, 3)); err != nil {
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
		t.Run(fmt.Sprint(dt), func(t *testing.T) {
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
