package ops_test

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// Convolutions and pooling: Conv2D and the pools against direct loops in
// PyTorch's semantics, Conv1D and MaxPool1D against their 2-D forms, and
// the fused kernels against Gorgonia's.

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

// TestConv1DMatchesConv2D compares Conv1D (dilation 1) with Gorgonia's
// Conv2D over x viewed as [N, C, 1, L]: same loss and gradients, for
// several strides and paddings; and MaxPool1D with MaxPool2D on the same
// view without padding.
func TestConv1DMatchesConv2D(t *testing.T) {
	for _, tc := range []struct{ s, p int }{{1, 0}, {2, 1}, {3, 2}} {
		in := []ops.Input{{Name: "x", Shape: []int{2, 3, 10}, Domain: ops.Real},
			{Name: "w", Shape: []int{4, 3, 3}, Domain: ops.Real}, {Name: "b", Shape: []int{4}, Domain: ops.Real}}
		c := drawCase(in, uint64(30+tc.s))
		c1 := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.Conv1D(n[0], n[1], n[2], tc.s, tc.p, 1) }
		c2 := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
			x4, err := ops.Reshape(n[0], 2, 3, 1, 10)
			if err != nil {
				return nil, err
			}
			w4, err := ops.Reshape(n[1], 4, 3, 1, 3)
			if err != nil {
				return nil, err
			}
			y, err := ops.Conv2D(x4, w4, n[2], [2]int{1, tc.s}, [2]int{0, tc.p})
			if err != nil {
				return nil, err
			}
			ys := y.Shape()
			return ops.Reshape(y, ys[0], ys[1], ys[3])
		}
		compareBuilders(t, c, c1, c2)
	}
	in := []ops.Input{{Name: "x", Shape: []int{2, 3, 9}, Domain: ops.Real}}
	p1 := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.MaxPool1D(n[0], 3, 2, 0) }
	p2 := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		x4, err := ops.Reshape(n[0], 2, 3, 1, 9)
		if err != nil {
			return nil, err
		}
		y, err := ops.MaxPool2D(x4, [2]int{1, 3}, [2]int{1, 2})
		if err != nil {
			return nil, err
		}
		return ops.Reshape(y, 2, 3, 4)
	}
	compareBuilders(t, drawCase(in, 5), p1, p2)
}

// TestFusedConvMatchesConv2D compares FusedConv2D with Conv2D (Gorgonia's
// im2col convolution plus a broadcast bias): outputs, loss and the
// gradients of x, w and b to 1e-12, with strides and paddings.
func TestFusedConvMatchesConv2D(t *testing.T) {
	for i, tc := range []struct {
		x, w            []int
		stride, padding [2]int
		bias            bool
	}{
		{[]int{3, 2, 7, 6}, []int{4, 2, 3, 3}, [2]int{1, 1}, [2]int{0, 0}, true},
		{[]int{2, 3, 8, 7}, []int{5, 3, 3, 2}, [2]int{2, 2}, [2]int{1, 1}, true},
		{[]int{2, 2, 9, 9}, []int{3, 2, 4, 3}, [2]int{2, 1}, [2]int{1, 2}, true},
		{[]int{2, 1, 10, 10}, []int{6, 1, 5, 5}, [2]int{1, 1}, [2]int{2, 2}, false},
		{[]int{4, 6, 12, 12}, []int{16, 6, 5, 5}, [2]int{1, 1}, [2]int{0, 0}, true}, // lenet's conv2
		{[]int{5, 3, 20, 20}, []int{16, 3, 5, 5}, [2]int{1, 1}, [2]int{1, 1}, true}, // split over goroutines
	} {
		t.Run(fmt.Sprintf("x%v_w%v_s%v_p%v_bias%v", tc.x, tc.w, tc.stride, tc.padding, tc.bias), func(t *testing.T) {
			in := []ops.Input{{Name: "x", Shape: tc.x, Domain: ops.Real}, {Name: "w", Shape: tc.w, Domain: ops.Real}}
			if tc.bias {
				in = append(in, ops.Input{Name: "b", Shape: []int{tc.w[0]}, Domain: ops.Real})
			}
			bias := func(n []*G.Node) *G.Node {
				if tc.bias {
					return n[2]
				}
				return nil
			}
			ref := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
				return ops.Conv2D(n[0], n[1], bias(n), tc.stride, tc.padding)
			}
			fused := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
				return ops.FusedConv2D(n[0], n[1], bias(n), tc.stride, tc.padding)
			}
			sameRun(t, drawCase(in, uint64(100+i)), ref, fused, 1e-12)
		})
	}
}

// TestFusedMaxPoolMatchesMaxPool2D compares FusedMaxPool2D with MaxPool2D
// (Gorgonia's): outputs, loss and gradient to 1e-12.
func TestFusedMaxPoolMatchesMaxPool2D(t *testing.T) {
	for i, tc := range []struct {
		x              []int
		kernel, stride [2]int
	}{
		{[]int{2, 3, 8, 8}, [2]int{2, 2}, [2]int{2, 2}},
		{[]int{2, 2, 7, 9}, [2]int{3, 3}, [2]int{2, 2}},
		{[]int{3, 2, 6, 7}, [2]int{2, 3}, [2]int{1, 2}},
		{[]int{4, 6, 24, 24}, [2]int{2, 2}, [2]int{2, 2}}, // lenet's first pool
	} {
		t.Run(fmt.Sprintf("x%v_k%v_s%v", tc.x, tc.kernel, tc.stride), func(t *testing.T) {
			in := []ops.Input{{Name: "x", Shape: tc.x, Domain: ops.Real}}
			ref := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.MaxPool2D(n[0], tc.kernel, tc.stride) }
			fused := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
				return ops.FusedMaxPool2D(n[0], tc.kernel, tc.stride)
			}
			sameRun(t, drawCase(in, uint64(200+i)), ref, fused, 1e-12)
		})
	}
}

// TestFusedConvRejectsBadShapes checks the shape errors.
func TestFusedConvRejectsBadShapes(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 3, 5, 5), G.WithName("x"))
	w := G.NewTensor(g, tensor.Float64, 4, G.WithShape(4, 2, 3, 3), G.WithName("w"))
	if _, err := ops.FusedConv2D(x, w, nil, [2]int{1, 1}, [2]int{0, 0}); err == nil {
		t.Error("FusedConv2D accepted 3 input channels with a 2-channel filter")
	}
	if _, err := ops.Conv2DInputGrad(x, w, 5, 5, [2]int{1, 1}, [2]int{0, 0}); err == nil {
		t.Error("Conv2DInputGrad accepted g with 3 channels for 4 filters")
	}
	if _, err := ops.FusedMaxPool2D(x, [2]int{6, 6}, [2]int{1, 1}); err == nil {
		t.Error("FusedMaxPool2D accepted a 6x6 window on a 5x5 input")
	}
}

// TestFusedMaxPoolNaN checks that a NaN in a window wins, as in PyTorch,
// and that the first of tied maxima takes the gradient.
func TestFusedMaxPoolNaN(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 1, 2, 4), G.WithName("x"))
	y, err := ops.FusedMaxPool2D(x, [2]int{2, 2}, [2]int{2, 2})
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	xv := tensor.New(tensor.WithShape(1, 1, 2, 4), tensor.WithBacking([]float64{1, 5, 3, 3, nan, 2, 1, 3}))
	out, err := y.Op().Do(xv)
	if err != nil {
		t.Fatal(err)
	}
	got := out.Data().([]float64)
	if !math.IsNaN(got[0]) || got[1] != 3 {
		t.Errorf("max-pool of [1 5; NaN 2] and [3 3; 1 3] = %v, want [NaN 3]", got)
	}
	gy := tensor.New(tensor.WithShape(1, 1, 1, 2), tensor.WithBacking([]float64{10, 20}))
	gn := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 1, 1, 2), G.WithName("g"))
	dx, err := ops.MaxPool2DScatter(x, gn, [2]int{2, 2}, [2]int{2, 2})
	if err != nil {
		t.Fatal(err)
	}
	d, err := dx.Op().Do(xv, gy)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 0, 20, 0, 10, 0, 0, 0}
	for i, v := range d.Data().([]float64) {
		if v != want[i] {
			t.Fatalf("scatter = %v, want %v", d.Data(), want)
		}
	}
}
