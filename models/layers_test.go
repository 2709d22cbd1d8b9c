package models

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// TestLayerGradients checks each layer's parameter gradients numerically
// inside a small network, with strides, padding and 4-d batch norm.
func TestLayerGradients(t *testing.T) {
	dt := tensor.Float64
	for _, tc := range []layerCase{
		{"conv stride 2 pad 1 + avgpool + flatten + linear", []int{2, 2, 7, 7}, func(g *G.ExprGraph, rng *rand.Rand) ([]Layer, error) {
			c, err := NewConv2D(g, "c", 2, 3, [2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, dt, rng)
			if err != nil {
				return nil, err
			}
			l, err := NewLinear(g, "fc", 3*2*2, 2, dt, rng)
			return []Layer{c, ReLU(), NewAvgPool2D([2]int{2, 2}, [2]int{}, [2]int{}), &Flatten{}, l}, err
		}, []int{2, 2}},
		{"conv + batchnorm2d + maxpool", []int{3, 1, 6, 6}, func(g *G.ExprGraph, rng *rand.Rand) ([]Layer, error) {
			c, err := NewConv2D(g, "c", 1, 2, [2]int{3, 3}, [2]int{}, [2]int{}, dt, rng)
			if err != nil {
				return nil, err
			}
			bn, err := NewBatchNorm(g, "bn", 2, dt)
			return []Layer{c, bn, NewMaxPool2D([2]int{2, 2}, [2]int{})}, err
		}, []int{3, 2, 2, 2}},
		{"linear + dropout(0) + batchnorm1d", []int{4, 5}, func(g *G.ExprGraph, rng *rand.Rand) ([]Layer, error) {
			l, err := NewLinear(g, "fc", 5, 3, dt, rng)
			if err != nil {
				return nil, err
			}
			d, err := NewDropout(0, 1)
			if err != nil {
				return nil, err
			}
			bn, err := NewBatchNorm(g, "bn", 3, dt)
			return []Layer{l, d, bn, &Func{Name: "tanh", Fn: ops.Tanh}}, err
		}, []int{4, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, dt) })
	}
}
