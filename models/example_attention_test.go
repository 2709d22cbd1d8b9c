package models_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/models"
)

// Build a pre-norm Transformer encoder layer with GELU, apply it to a
// batch of sequences with a causal mask, and list its state dict.
func ExampleNewTransformerEncoderLayer() {
	g := G.NewGraph()
	x, _ := compiler.NewInput(g, "x", tensor.Float64, 2, 10, 16) // [batch, sequence, d_model]
	enc, err := models.NewTransformerEncoderLayer(g, "enc", models.TransformerConfig{
		DModel: 16, NHead: 4, DimFeedforward: 32, Activation: "gelu", NormFirst: true,
	}, tensor.Float64, models.NewRNG(1))
	if err != nil {
		panic(err)
	}
	y, err := enc.ForwardMasked(x, models.AttentionMasks{Causal: true})
	if err != nil {
		panic(err)
	}
	fmt.Println("output", y.Shape())
	for _, p := range enc.Params() {
		fmt.Println(p.Name(), p.Shape())
	}
	// Output:
	// output (2, 10, 16)
	// enc.self_attn.in_proj_weight (48, 16)
	// enc.self_attn.in_proj_bias (48)
	// enc.self_attn.out_proj.weight (16, 16)
	// enc.self_attn.out_proj.bias (16)
	// enc.linear1.weight (32, 16)
	// enc.linear1.bias (32)
	// enc.linear2.weight (16, 32)
	// enc.linear2.bias (16)
	// enc.norm1.weight (16)
	// enc.norm1.bias (16)
	// enc.norm2.weight (16)
	// enc.norm2.bias (16)
}

// Self-attention returns the output and the attention weights averaged
// over the heads, as PyTorch's need_weights=True.
func ExampleMultiheadAttention_Forward() {
	g := G.NewGraph()
	x, _ := compiler.NewInput(g, "x", tensor.Float64, 3, 5, 8)
	attn, err := models.NewMultiheadAttention(g, "attn", 8, 2, tensor.Float64, models.NewRNG(1), models.AttentionConfig{})
	if err != nil {
		panic(err)
	}
	out, weights, err := attn.Forward(x, x, x, models.AttentionMasks{})
	if err != nil {
		panic(err)
	}
	fmt.Println(out.Shape(), weights.Shape())
	_, err = models.NewMultiheadAttention(g, "bad", 8, 3, tensor.Float64, models.NewRNG(1), models.AttentionConfig{})
	fmt.Println(err)
	// Output:
	// (3, 5, 8) (3, 5, 5)
	// attention "bad": num_heads 3 does not divide embed_dim 8
}

// LayerNorm over the last two axes and a Linear without bias, with their
// PyTorch state_dict names.
func ExampleNewLayerNorm() {
	g := G.NewGraph()
	ln, _ := models.NewLayerNorm(g, "ln", []int{3, 4}, tensor.Float64, models.LayerNormConfig{})
	fc, _ := models.NewLinear(g, "proj", 4, 2, tensor.Float64, models.NewRNG(1), models.WithoutBias())
	for _, p := range append(ln.Params(), fc.Params()...) {
		fmt.Println(p.Name(), p.Shape())
	}
	fmt.Println("eps", ln.Eps)
	// Output:
	// ln.weight (3, 4)
	// ln.bias (3, 4)
	// proj.weight (2, 4)
	// eps 1e-05
}
