package models_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
)

// A two-layer bidirectional GRU over a batch of 4 sequences of 10 steps:
// PyTorch's state_dict names, and h_n with one [B, H] state per layer and
// direction.
func ExampleNewGRU() {
	g := G.NewGraph()
	x, _ := compiler.NewInput(g, "x", tensor.Float64, 4, 10, 8)
	gru, err := models.NewGRU(g, "gru", 8, 16, 2, true, tensor.Float64, models.NewRNG(1))
	if err != nil {
		panic(err)
	}
	out, err := gru.Forward(x)
	if err != nil {
		panic(err)
	}
	for _, p := range gru.Params()[:4] {
		fmt.Println(p.Name(), p.Shape())
	}
	fmt.Println(len(gru.Params()), "tensors;", len(out.HN), "final states of shape", out.HN[0].Shape())
	// Output:
	// gru.weight_ih_l0 (48, 8)
	// gru.weight_hh_l0 (48, 16)
	// gru.bias_ih_l0 (48)
	// gru.bias_hh_l0 (48)
	// 16 tensors; 4 final states of shape (4, 16)
}

// PyTorch's `emb(x).transpose(1, 2)`, Conv1d and a max over time: token ids
// [B, T] become one feature vector per sequence.
func ExampleNewConv1D() {
	g := G.NewGraph()
	ids, _ := compiler.NewInput(g, "ids", tensor.Int64, 2, 12)
	rng := models.NewRNG(1)
	emb, _ := models.NewEmbeddingPadded(g, "emb", 100, 8, 0, tensor.Float64, rng)
	conv, err := models.NewConv1D(g, "conv", 8, 5, 3, models.Conv1DConfig{Padding: 2, Dilation: 2}, tensor.Float64, rng)
	if err != nil {
		panic(err)
	}
	e, _ := emb.Forward(ids)
	t, _ := ops.SwapLast(e) // emb(x).transpose(1, 2)
	y, _ := conv.Forward(t)
	pooled, _ := (&models.GlobalMaxPool{Axis: 2}).Forward(y)
	fmt.Println(e.Shape(), "->", t.Shape(), "->", y.Shape(), "->", pooled.Shape())
	// Output:
	// (2, 12, 8) -> (2, 8, 12) -> (2, 5, 12) -> (2, 5)
}
