package ops_test

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

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
