package ops_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// forwardOf runs fn on seeded inputs (params) and returns the inputs and
// the output.
func forwardOf(t *testing.T, inputs []ops.Input, fn func(n []*G.Node) (*G.Node, error)) ([][]float64, []float64, tensor.Shape) {
	t.Helper()
	c := drawCase(inputs, 21)
	_, out := sumRun(t, c.args(), func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return fn(n) })
	return c.values, valueFloats(out.Value()), out.Shape()
}

// TestConv2DMatchesDirectLoops checks Conv2D (Gorgonia's im2col) against a
// direct loop in PyTorch's semantics, with stride and padding.
func TestConv2DMatchesDirectLoops(t *testing.T) {
	st, pd := [2]int{2, 1}, [2]int{1, 2}
	in, got, shape := forwardOf(t, []ops.Input{{Name: "x", Shape: []int{2, 3, 5, 6}, Domain: ops.Real},
		{Name: "w", Shape: []int{4, 3, 3, 2}, Domain: ops.Real}, {Name: "b", Shape: []int{4}, Domain: ops.Real}},
		func(n []*G.Node) (*G.Node, error) { return ops.Conv2D(n[0], n[1], n[2], st, pd) })
	x, w, b := in[0], in[1], in[2]
	oh, ow := (5+2*pd[0]-3)/st[0]+1, (6+2*pd[1]-2)/st[1]+1
	if !shape.Eq(tensor.Shape{2, 4, oh, ow}) {
		t.Fatalf("shape %v, want [2 4 %d %d]", shape, oh, ow)
	}
	for nn := 0; nn < 2; nn++ {
		for o := 0; o < 4; o++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					s := b[o]
					for c := 0; c < 3; c++ {
						for u := 0; u < 3; u++ {
							for v := 0; v < 2; v++ {
								r, q := i*st[0]+u-pd[0], j*st[1]+v-pd[1]
								if r >= 0 && r < 5 && q >= 0 && q < 6 {
									s += w[((o*3+c)*3+u)*2+v] * x[((nn*3+c)*5+r)*6+q]
								}
							}
						}
					}
					if k := ((nn*4+o)*oh+i)*ow + j; !near(got[k], s, 1e-12) {
						t.Fatalf("out[%d,%d,%d,%d] = %v, want %v", nn, o, i, j, got[k], s)
					}
				}
			}
		}
	}
}

// TestPoolsMatchDirectLoops checks MaxPool2D and AvgPool2D (with padding,
// count_include_pad) against direct loops.
func TestPoolsMatchDirectLoops(t *testing.T) {
	k, st, pd := [2]int{3, 2}, [2]int{2, 2}, [2]int{1, 1}
	for _, kind := range []string{"max", "avg"} {
		in, got, shape := forwardOf(t, []ops.Input{{Name: "x", Shape: []int{2, 2, 6, 7}, Domain: ops.Real}},
			func(n []*G.Node) (*G.Node, error) {
				if kind == "max" {
					return ops.MaxPool2D(n[0], k, st)
				}
				return ops.AvgPool2D(n[0], k, st, pd)
			})
		p := pd
		if kind == "max" {
			p = [2]int{}
		}
		x := in[0]
		oh, ow := (6+2*p[0]-k[0])/st[0]+1, (7+2*p[1]-k[1])/st[1]+1
		if !shape.Eq(tensor.Shape{2, 2, oh, ow}) {
			t.Fatalf("%s: shape %v, want [2 2 %d %d]", kind, shape, oh, ow)
		}
		for nc := 0; nc < 4; nc++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					m, s := math.Inf(-1), 0.0
					for u := 0; u < k[0]; u++ {
						for v := 0; v < k[1]; v++ {
							r, q := i*st[0]+u-p[0], j*st[1]+v-p[1]
							if r >= 0 && r < 6 && q >= 0 && q < 7 {
								m = math.Max(m, x[(nc*6+r)*7+q])
								s += x[(nc*6+r)*7+q]
							}
						}
					}
					want := m
					if kind == "avg" {
						want = s / float64(k[0]*k[1])
					}
					if g := got[(nc*oh+i)*ow+j]; !near(g, want, 1e-12) {
						t.Fatalf("%s: out[%d,%d,%d] = %v, want %v", kind, nc, i, j, g, want)
					}
				}
			}
		}
	}
}

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
