package main

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
	"github.com/symgrad/symgrad/safetensors"
)

// layerSpec says which layer `crosscheck layer` builds (JSON).
type layerSpec struct {
	Layer   string `json:"layer"` // layernorm | linear | mha | tel
	Shape   []int  `json:"shape"` // layernorm: normalized_shape
	Eps     float64
	NoAff   bool   `json:"no_affine"`
	In      int    `json:"in"` // linear
	Out     int    `json:"out"`
	NoBias  bool   `json:"no_bias"`
	Embed   int    `json:"embed"` // mha, tel (d_model)
	Heads   int    `json:"heads"`
	FF      int    `json:"ff"`
	Act     string `json:"activation"`
	PreNorm bool   `json:"norm_first"`
	Causal  bool   `json:"causal"`
	Cross   bool   `json:"cross"` // mha: separate query, key and value inputs
}

// layerCase builds the layer named "m" on g and applies it to the inputs;
// it returns the module, the output, the attention weights (mha) and the
// differentiable inputs.
func layerCase(g *G.ExprGraph, sp layerSpec, in map[string]*tensor.Dense) (models.Module, *G.Node, *G.Node, []*G.Node, error) {
	dt, rng := tensor.Float64, models.NewRNG(1)
	input := func(name string) (*G.Node, error) {
		v, ok := in[name]
		if !ok {
			return nil, errors.Errorf("input %q missing", name)
		}
		return compiler.NewParam(g, name, v.Clone().(*tensor.Dense))
	}
	x, err := input("x")
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var masks models.AttentionMasks
	masks.Causal = sp.Causal
	if kpm, ok := in["kpm"]; ok {
		masks.KeyPadding = G.NewTensor(g, kpm.Dtype(), 2, G.WithName("kpm"), G.WithShape(kpm.Shape()...), G.WithValue(kpm))
	}
	switch sp.Layer {
	case "layernorm":
		l, err := models.NewLayerNorm(g, "m", sp.Shape, dt, models.LayerNormConfig{Eps: sp.Eps, NoAffine: sp.NoAff})
		if err != nil {
			return nil, nil, nil, nil, err
		}
		y, err := l.Forward(x)
		return l, y, nil, []*G.Node{x}, err
	case "linear":
		var opts []models.LinearOption
		if sp.NoBias {
			opts = append(opts, models.WithoutBias())
		}
		l, err := models.NewLinear(g, "m", sp.In, sp.Out, dt, rng, opts...)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		y, err := l.Forward(x)
		return l, y, nil, []*G.Node{x}, err
	case "mha":
		a, err := models.NewMultiheadAttention(g, "m", sp.Embed, sp.Heads, dt, rng, models.AttentionConfig{})
		if err != nil {
			return nil, nil, nil, nil, err
		}
		k, v, vars := x, x, []*G.Node{x}
		if sp.Cross {
			if k, err = input("k"); err == nil {
				v, err = input("v")
			}
			if err != nil {
				return nil, nil, nil, nil, err
			}
			vars = append(vars, k, v)
		}
		y, w, err := a.Forward(x, k, v, masks)
		return a, y, w, vars, err
	case "tel":
		t, err := models.NewTransformerEncoderLayer(g, "m", models.TransformerConfig{DModel: sp.Embed, NHead: sp.Heads,
			DimFeedforward: sp.FF, Activation: sp.Act, NormFirst: sp.PreNorm}, dt, rng)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		y, err := t.ForwardMasked(x, masks)
		return t, y, nil, []*G.Node{x}, err
	}
	return nil, nil, nil, nil, errors.Errorf("unknown layer %q", sp.Layer)
}

// layer runs `crosscheck layer SPEC IN OUT`: it builds the layer of the JSON
// SPEC, writes its fresh state dict (init.<name>) to OUT, loads IN's
// "m.*" tensors into it (every parameter, no extra: strict), runs one
// training pass of loss = Σ output ⊙ r (+ Σ weights ⊙ rw for attention) and
// writes loss, output, weights and grad.<name> for every parameter and
// differentiable input.
func layer(spec, inPath, outPath string) error {
	var sp layerSpec
	if err := json.Unmarshal([]byte(spec), &sp); err != nil {
		return errors.Wrap(err, "spec")
	}
	f, err := safetensors.Read(inPath)
	if err != nil {
		return err
	}
	g := G.NewGraph()
	mod, y, w, vars, err := layerCase(g, sp, f.Tensors)
	if err != nil {
		return err
	}
	res := map[string]*tensor.Dense{}
	if err := loadStrict(mod, f.Tensors, res); err != nil {
		return err
	}
	loss, err := weighted(g, y, f.Tensors["r"], "r")
	if err == nil && w != nil {
		var lw *G.Node
		if lw, err = weighted(g, w, f.Tensors["rw"], "rw"); err == nil {
			loss, err = G.Add(loss, lw)
		}
	}
	if err != nil {
		return err
	}
	outs := []*G.Node{y}
	if w != nil {
		outs = append(outs, w)
	}
	params := append(append([]*G.Node(nil), mod.Params()...), vars...)
	prog, err := compiler.Compile(loss, params, compiler.WithOutputs(outs...))
	if err != nil {
		return err
	}
	defer prog.Close()
	if err := prog.RunTrain(); err != nil {
		return err
	}
	res["loss"] = tensor.New(tensor.FromScalar(prog.Loss()))
	res["output"] = prog.Output(0).(*tensor.Dense).Clone().(*tensor.Dense)
	if w != nil {
		res["weights"] = prog.Output(1).(*tensor.Dense).Clone().(*tensor.Dense)
	}
	for _, p := range prog.Params() {
		res["grad."+p.Name] = p.Grad.Clone().(*tensor.Dense)
	}
	return safetensors.Write(outPath, res, nil)
}

// loadStrict records the module's fresh state as init.<name> in res, then
// copies in's m.* tensors into its parameters: every parameter must be
// there with its shape, and no other m.* tensor.
func loadStrict(mod models.Module, in, res map[string]*tensor.Dense) error {
	seen := map[string]bool{}
	for _, p := range mod.Params() {
		dst := p.Value().(*tensor.Dense)
		res["init."+p.Name()] = dst.Clone().(*tensor.Dense)
		src, ok := in[p.Name()]
		if !ok {
			return errors.Errorf("parameter %q missing from the input", p.Name())
		}
		if !src.Shape().Eq(dst.Shape()) || src.Dtype() != dst.Dtype() {
			return errors.Errorf("parameter %q: input %v %v, layer %v %v", p.Name(), src.Dtype(), src.Shape(), dst.Dtype(), dst.Shape())
		}
		copy(dst.Float64s(), src.Float64s())
		seen[p.Name()] = true
	}
	var extra []string
	for name := range in {
		if strings.HasPrefix(name, "m.") && !seen[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		return errors.Errorf("unexpected tensors %v: the layer has no such parameters", extra)
	}
	return nil
}

// weighted is Σ out ⊙ r for a constant r of out's shape.
func weighted(g *G.ExprGraph, out *G.Node, r *tensor.Dense, name string) (*G.Node, error) {
	if r == nil || !r.Shape().Eq(out.Shape()) {
		return nil, errors.Errorf("upstream weights for output %v missing or misshapen", out.Shape())
	}
	rn := G.NewTensor(g, tensor.Float64, r.Dims(), G.WithShape(r.Shape()...), G.WithValue(r), G.WithName(name))
	p, err := G.HadamardProd(out, rn)
	if err != nil {
		return nil, err
	}
	return ops.SumAlong(p)
}
