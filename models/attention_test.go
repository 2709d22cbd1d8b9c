package models

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// TestLayerNormAndLinearNoBias checks LayerNorm over one and two trailing
// axes and Linear without bias: state names, PyTorch's init, gradients.
func TestLayerNormAndLinearNoBias(t *testing.T) {
	g := G.NewGraph()
	x := seqInput(t, g, "x", 1, 2, 3, 4)
	ln, err := NewLayerNorm(g, "ln", []int{3, 4}, tensor.Float64, LayerNormConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ln1, err := NewLayerNorm(g, "ln1", []int{4}, tensor.Float64, LayerNormConfig{Eps: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	fc, err := NewLinear(g, "fc", 4, 3, tensor.Float64, NewRNG(2), WithoutBias())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range append(append(ln.Params(), ln1.Params()...), fc.Params()...) {
		names = append(names, fmt.Sprintf("%s %v", p.Name(), p.Shape()))
	}
	want := []string{"ln.weight (3, 4)", "ln.bias (3, 4)", "ln1.weight (4)", "ln1.bias (4)", "fc.weight (3, 4)"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("params %v, want %v", names, want)
	}
	if ln.Eps != 1e-5 || ln1.Eps != 1e-3 {
		t.Errorf("eps %g and %g, want 1e-5 and 1e-3", ln.Eps, ln1.Eps)
	}
	if v := floats(ln.Weight.Value().(*tensor.Dense)); v[0] != 1 || v[11] != 1 || maxAbs(ln.Bias.Value().(*tensor.Dense)) != 0 {
		t.Error("layer norm init: want weight 1, bias 0")
	}
	h, err := ln.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if h, err = ln1.Forward(h); err != nil {
		t.Fatal(err)
	}
	flat, err := ops.Reshape(h, 6, 4)
	if err != nil {
		t.Fatal(err)
	}
	out, err := fc.Forward(flat)
	if err != nil {
		t.Fatal(err)
	}
	params := append(append(append(ln.Params(), ln1.Params()...), fc.Params()...), x)
	p := moduleProgram(t, g, out, params)
	numericCheck(t, p, 30, 1, 3)

	if _, err := ln.Forward(seqInput(t, g, "bad", 1, 2, 4, 3)); err == nil || !strings.Contains(err.Error(), `"ln"`) {
		t.Errorf("layer norm on [2 4 3] error = %v, want one naming the layer", err)
	}
	noAff, _ := NewLayerNorm(g, "na", []int{4}, tensor.Float64, LayerNormConfig{NoAffine: true})
	if len(noAff.Params()) != 0 {
		t.Errorf("elementwise_affine=False layer has params %v", noAff.Params())
	}
}

// attnCase builds self-attention on x [2, 4, 8] with the given masks and
// returns moduleProgram of its output, the head-averaged weights being
// the program's second output.
func attnCase(t *testing.T, heads int, masks func(g *G.ExprGraph) AttentionMasks) *compiler.Program {
	t.Helper()
	g := G.NewGraph()
	x := seqInput(t, g, "x", 5, 2, 4, 8)
	a, err := NewMultiheadAttention(g, "attn", 8, heads, tensor.Float64, NewRNG(6), AttentionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	// move the zero-initialised biases so their gradients are exercised
	for _, b := range []*G.Node{a.InProjBias, a.OutProj.Bias} {
		copy(b.Value().Data().([]float64), floats(Uniform(NewRNG(7), tensor.Float64, 0.5, b.Shape()...)))
	}
	out, w, err := a.Forward(x, x, x, masks(g))
	if err != nil {
		t.Fatal(err)
	}
	return moduleProgram(t, g, out, append(a.Params(), x), w)
}

// TestMultiheadAttentionGradients checks attention with 1, 2 and 4 heads,
// causal and key padding masks numerically, and that the returned weights
// are distributions that give masked keys 0.
func TestMultiheadAttentionGradients(t *testing.T) {
	pad := []bool{false, false, true, false, false, true, true, false} // [2, 4]
	for _, tc := range []struct {
		name   string
		heads  int
		causal bool
		pad    bool
	}{
		{"1 head", 1, false, false},
		{"2 heads causal", 2, true, false},
		{"4 heads key padding", 4, false, true},
		{"2 heads causal and key padding", 2, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := attnCase(t, tc.heads, func(g *G.ExprGraph) AttentionMasks {
				m := AttentionMasks{Causal: tc.causal}
				if tc.pad {
					m.KeyPadding = boolNode(g, "kpm", pad, 2, 4)
				}
				return m
			})
			numericCheck(t, p, 25, 2, 3)
			w := p.Output(1).Data().([]float64)
			for b := range 2 {
				for l := range 4 {
					sum := 0.0
					for s := range 4 {
						v := w[(b*4+l)*4+s]
						if masked := (tc.causal && s > l) || (tc.pad && pad[b*4+s]); masked && v != 0 {
							t.Errorf("weight [%d,%d,%d] = %v, want 0 (masked)", b, l, s, v)
						}
						sum += v
					}
					if math.Abs(sum-1) > 1e-12 {
						t.Errorf("weights [%d,%d,:] sum to %v", b, l, sum)
					}
				}
			}
		})
	}
}

// TestMultiheadAttentionInit checks torch 1.13's _reset_parameters:
// xavier_uniform in_proj_weight, zero biases, out_proj.weight as Linear's.
func TestMultiheadAttentionInit(t *testing.T) {
	g := G.NewGraph()
	a, err := NewMultiheadAttention(g, "a", 64, 8, tensor.Float64, NewRNG(1), AttentionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		n     *G.Node
		bound float64
	}{
		{a.InProjWeight, math.Sqrt(6.0 / (64 + 192))}, {a.InProjBias, 0},
		{a.OutProj.Weight, 1 / math.Sqrt(64)}, {a.OutProj.Bias, 0},
	} {
		m := maxAbs(tc.n.Value().(*tensor.Dense))
		if m > tc.bound || m < 0.95*tc.bound {
			t.Errorf("%s: max |w| = %g, want within (0.95, 1] x %g", tc.n.Name(), m, tc.bound)
		}
	}
}

// TestAttentionErrors checks that bad configurations and inputs are
// errors naming what is at fault.
func TestAttentionErrors(t *testing.T) {
	g := G.NewGraph()
	dt := tensor.Float64
	if _, err := NewMultiheadAttention(g, "a", 10, 4, dt, NewRNG(1), AttentionConfig{}); err == nil || !strings.Contains(err.Error(), "num_heads 4 does not divide embed_dim 10") {
		t.Errorf("10 wide, 4 heads: %v", err)
	}
	if _, err := NewTransformerEncoderLayer(g, "t", TransformerConfig{DModel: 6, NHead: 4}, dt, NewRNG(1)); err == nil || !strings.Contains(err.Error(), "nhead 4 does not divide d_model 6") {
		t.Errorf("d_model 6, nhead 4: %v", err)
	}
	if _, err := NewTransformerEncoderLayer(g, "t", TransformerConfig{DModel: 8, NHead: 2, Activation: "tanh"}, dt, NewRNG(1)); err == nil || !strings.Contains(err.Error(), `activation "tanh"`) {
		t.Errorf("tanh activation: %v", err)
	}
	a, err := NewMultiheadAttention(g, "a", 8, 2, dt, NewRNG(1), AttentionConfig{MaxLen: 4})
	if err != nil {
		t.Fatal(err)
	}
	x := seqInput(t, g, "x", 1, 2, 4, 8)
	for _, tc := range []struct {
		name    string
		q       *G.Node
		masks   AttentionMasks
		want    []string
		crossKV bool
	}{
		{"long", seqInput(t, g, "long", 1, 2, 5, 8), AttentionMasks{}, []string{`"long"`, "length 5", "longer than the 4"}, false},
		{"narrow", seqInput(t, g, "narrow", 1, 2, 4, 6), AttentionMasks{}, []string{`"narrow"`, "[batch, sequence, 8]"}, false},
		{"mask shape", x, AttentionMasks{KeyPadding: boolNode(g, "kpm35", make([]bool, 15), 3, 5)}, []string{"kpm35", "want [batch, keys] = [2, 4]"}, false},
		{"mask dtype", x, AttentionMasks{KeyPadding: newInput(t, g, "kpmint", tensor.Int64, 2, 4)}, []string{"kpmint", "dtype int64"}, false},
	} {
		_, _, err := a.Forward(tc.q, tc.q, tc.q, tc.masks)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error = %v, want one containing %q", tc.name, err, w)
			}
		}
		if err != nil && !strings.Contains(err.Error(), `attention "a"`) {
			t.Errorf("%s: error %v does not name the layer", tc.name, err)
		}
	}
}

// TestTransformerEncoderLayerGradients checks post- and pre-norm, ReLU and
// GELU, masks, and seeded dropout (masks frozen for the check).
func TestTransformerEncoderLayerGradients(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  TransformerConfig
		pad  bool
	}{
		{"post-norm relu", TransformerConfig{DModel: 8, NHead: 2, DimFeedforward: 12}, false},
		{"post-norm gelu causal", TransformerConfig{DModel: 8, NHead: 4, DimFeedforward: 12, Activation: "gelu"}, false},
		{"pre-norm relu key padding", TransformerConfig{DModel: 8, NHead: 2, DimFeedforward: 12, NormFirst: true}, true},
		{"pre-norm gelu dropout 0.2", TransformerConfig{DModel: 8, NHead: 2, DimFeedforward: 12, NormFirst: true, Activation: "gelu", Dropout: 0.2, Seed: 3}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := G.NewGraph()
			x := seqInput(t, g, "x", 9, 2, 5, 8)
			enc, err := NewTransformerEncoderLayer(g, "enc", tc.cfg, tensor.Float64, NewRNG(4))
			if err != nil {
				t.Fatal(err)
			}
			masks := AttentionMasks{Causal: strings.Contains(tc.name, "causal")}
			if tc.pad {
				masks.KeyPadding = boolNode(g, "kpm", []bool{false, true, false, false, true, false, false, true, true, false}, 2, 5)
			}
			out, err := enc.ForwardMasked(x, masks)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual([]int(out.Shape()), []int{2, 5, 8}) {
				t.Fatalf("output shape %v", out.Shape())
			}
			p := moduleProgram(t, g, out, append(enc.Params(), x))
			if tc.cfg.Dropout > 0 {
				if n := ops.FreezeMasks(p.Graph(), true); n != 8 {
					t.Errorf("%d dropout nodes, want 8 (attention weights, dropout1, dropout, dropout2 and their gradients)", n)
				}
			}
			numericCheck(t, p, 20, 5, 6)
		})
	}
}
