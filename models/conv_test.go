package models

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// TestConv1DAndPoolGradients checks Conv1D (stride, padding, dilation),
// the 1-D pools, padded MaxPool2D and the global pools inside small
// networks: output shapes as PyTorch computes them and every parameter's
// gradient numerically.
func TestConv1DAndPoolGradients(t *testing.T) {
	dt := tensor.Float64
	conv := func(g *G.ExprGraph, rng *rand.Rand, in, out, k int, cfg Conv1DConfig) (*Conv1D, error) {
		return NewConv1D(g, "conv", in, out, k, cfg, dt, rng)
	}
	for _, tc := range []layerCase{
		{"conv1d stride 2 pad 1 dilation 2", []int{2, 3, 11}, func(g *G.ExprGraph, rng *rand.Rand) ([]Layer, error) {
			c, err := conv(g, rng, 3, 4, 3, Conv1DConfig{Stride: 2, Padding: 1, Dilation: 2})
			return []Layer{c}, err
		}, []int{2, 4, 5}},
		{"conv1d + maxpool1d(3, 2, 1) + tanh", []int{2, 2, 8}, func(g *G.ExprGraph, rng *rand.Rand) ([]Layer, error) {
			c, err := conv(g, rng, 2, 3, 2, Conv1DConfig{})
			return []Layer{c, NewMaxPool1D(3, 2, 1), &Func{Name: "tanh", Fn: ops.Tanh}}, err
		}, []int{2, 3, 4}},
		{"conv1d + avgpool1d(2, 0, 1)", []int{2, 2, 7}, func(g *G.ExprGraph, rng *rand.Rand) ([]Layer, error) {
			c, err := conv(g, rng, 2, 3, 3, Conv1DConfig{Padding: 2})
			return []Layer{c, NewAvgPool1D(2, 0, 1)}, err
		}, []int{2, 3, 5}},
		{"conv1d + tanh + global max + linear", []int{3, 2, 6}, func(g *G.ExprGraph, rng *rand.Rand) ([]Layer, error) {
			c, err := conv(g, rng, 2, 4, 3, Conv1DConfig{Padding: 1})
			if err != nil {
				return nil, err
			}
			fc, err := NewLinear(g, "fc", 4, 2, dt, rng)
			return []Layer{c, &Func{Name: "tanh", Fn: ops.Tanh}, &GlobalMaxPool{Axis: -1}, fc}, err
		}, []int{3, 2}},
		{"conv1d + global mean", []int{2, 2, 6}, func(g *G.ExprGraph, rng *rand.Rand) ([]Layer, error) {
			c, err := conv(g, rng, 2, 3, 3, Conv1DConfig{Stride: 2})
			return []Layer{c, &GlobalAvgPool{Axis: 2}}, err
		}, []int{2, 3}},
		{"conv2d + padded maxpool2d(3, 2, 1)", []int{2, 1, 7, 6}, func(g *G.ExprGraph, rng *rand.Rand) ([]Layer, error) {
			c, err := NewConv2D(g, "c", 1, 2, [2]int{2, 2}, [2]int{}, [2]int{}, dt, rng)
			return []Layer{c, NewMaxPool2DPadded([2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1})}, err
		}, []int{2, 2, 3, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, dt) })
	}
}

// TestMaxPoolPaddingIsMinusInfinity checks that padding never wins a
// window: on all-negative input, padded windows at the border take the
// largest element inside x, not 0.
func TestMaxPoolPaddingIsMinusInfinity(t *testing.T) {
	g := G.NewGraph()
	x := newParam(t, g, "x", tensor.New(tensor.WithShape(1, 1, 4), tensor.WithBacking([]float64{-1, -5, -3, -2})))
	y, err := NewMaxPool1D(2, 2, 1).Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	p := sumProgram(t, []*G.Node{x}, y)
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
	// windows: [pad, -1], [-5, -3], [-2, pad]
	if got, want := p.Output(0).(*tensor.Dense).Float64s(), []float64{-1, -3, -2}; !reflect.DeepEqual(got, want) {
		t.Errorf("maxpool1d(2, 2, 1) = %v, want %v", got, want)
	}
	if got, want := p.Params()[0].Grad.Data().([]float64), []float64{1, 0, 1, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("gradient %v, want %v", got, want)
	}
}

// TestConv1DAndPoolErrors checks that bad sizes and shapes are errors
// naming the layer and the shapes.
func TestConv1DAndPoolErrors(t *testing.T) {
	g := G.NewGraph()
	if _, err := NewConv1D(g, "bad", 0, 2, 3, Conv1DConfig{}, tensor.Float64, NewRNG(1)); err == nil || !strings.Contains(err.Error(), `conv1d "bad"`) {
		t.Errorf("in=0: error %v", err)
	}
	// NewConv1D used to panic on a nil rng; it is an error now.
	if _, err := NewConv1D(g, "norng", 2, 3, 5, Conv1DConfig{}, tensor.Float64, nil); err == nil || !strings.Contains(err.Error(), `conv1d "norng": nil rng`) {
		t.Errorf("nil rng: error %v", err)
	}
	c, err := NewConv1D(g, "conv", 2, 3, 5, Conv1DConfig{Dilation: 2}, tensor.Float64, NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name string, shape ...int) *G.Node { return newInput(t, g, name, tensor.Float64, shape...) }
	for _, tc := range []struct {
		name  string
		layer Layer
		x     *G.Node
		want  string
	}{
		{"conv1d wrong channels", c, mk("a", 2, 3, 20), "want [batch, 2, length]"},
		{"conv1d too short for the dilated kernel", c, mk("b", 2, 2, 8), "do not fit"},
		{"conv1d rank 4", c, mk("c", 2, 2, 8, 1), "want [batch, 2, length]"},
		{"maxpool1d padding over half the kernel", NewMaxPool1D(2, 1, 2), mk("d", 1, 1, 8), "padding"},
		{"avgpool1d rank 2", NewAvgPool1D(2, 1, 0), mk("e", 1, 8), "[N, C, L]"},
		{"global max over a missing axis", &GlobalMaxPool{Axis: 3}, mk("f", 1, 8), "axis"},
		{"maxpool2d padding over half the kernel", NewMaxPool2DPadded([2]int{2, 2}, [2]int{}, [2]int{2, 0}), mk("h", 1, 1, 6, 6), "do not fit"},
	} {
		if _, err := tc.layer.Forward(tc.x); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}
