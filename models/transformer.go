package models

import (
	"fmt"
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// TransformerEncoderLayer is PyTorch's nn.TransformerEncoderLayer(d_model,
// nhead, dim_feedforward, dropout, activation, layer_norm_eps,
// batch_first=True, norm_first), state_dict names <name>.self_attn.*,
// <name>.linear1.*, <name>.linear2.*, <name>.norm1.*, <name>.norm2.*.
//
// Post-norm (norm_first=False, PyTorch's default):
//
//	x = norm1(x + dropout1(self_attn(x)))
//	x = norm2(x + dropout2(linear2(dropout(act(linear1(x))))))
//
// pre-norm (norm_first=True):
//
//	x = x + dropout1(self_attn(norm1(x)))
//	x = x + dropout2(linear2(dropout(act(linear1(norm2(x))))))
type TransformerEncoderLayer struct {
	Name     string
	Config   TransformerConfig // with defaults filled in
	SelfAttn *MultiheadAttention
	Linear1  *Linear // d_model -> dim_feedforward
	Linear2  *Linear // dim_feedforward -> d_model
	Norm1    *LayerNorm
	Norm2    *LayerNorm
}

// TransformerConfig are a TransformerEncoderLayer's sizes and options.
// DModel and NHead are required; the other zero values mean PyTorch's
// defaults except Dropout, whose zero value is no dropout (PyTorch's
// default is 0.1: set it).
type TransformerConfig struct {
	DModel, NHead  int
	DimFeedforward int     // 0 means 2048
	Dropout        float64 // on the attention weights and the three residual/FF places
	Activation     string  // "relu" (default) or "gelu" (exact, erf form)
	NormFirst      bool    // pre-norm
	LayerNormEps   float64 // 0 means 1e-5
	Seed           uint64  // seeds the dropout masks
	MaxLen         int     // longest sequence accepted; 0: any
}

func (c TransformerConfig) withDefaults(name string) (TransformerConfig, error) {
	if c.DimFeedforward == 0 {
		c.DimFeedforward = 2048
	}
	if c.LayerNormEps == 0 {
		c.LayerNormEps = 1e-5
	}
	if c.Activation == "" {
		c.Activation = "relu"
	}
	switch {
	case c.DModel <= 0 || c.NHead <= 0 || c.DimFeedforward < 0:
		return c, errors.Errorf("transformer layer %q: d_model %d, nhead %d and dim_feedforward %d must be positive", name, c.DModel, c.NHead, c.DimFeedforward)
	case c.DModel%c.NHead != 0:
		return c, errors.Errorf("transformer layer %q: nhead %d does not divide d_model %d", name, c.NHead, c.DModel)
	case c.Activation != "relu" && c.Activation != "gelu":
		return c, errors.Errorf("transformer layer %q: activation %q, want relu or gelu", name, c.Activation)
	case !(c.Dropout >= 0 && c.Dropout < 1):
		return c, errors.Errorf("transformer layer %q: dropout %g is outside [0, 1)", name, c.Dropout)
	}
	return c, nil
}

// Compile-time check.
var _ Layer = (*TransformerEncoderLayer)(nil)

// NewTransformerEncoderLayer adds the layer's parameters to g in PyTorch's
// order and initialisation (attention as NewMultiheadAttention, the
// Linears as NewLinear, the norms' weight 1 and bias 0).
func NewTransformerEncoderLayer(g *G.ExprGraph, name string, cfg TransformerConfig, dt tensor.Dtype, rng *rand.Rand) (t *TransformerEncoderLayer, err error) {
	if cfg, err = cfg.withDefaults(name); err != nil {
		return nil, err
	}
	t = &TransformerEncoderLayer{Name: name, Config: cfg}
	acfg := AttentionConfig{Dropout: cfg.Dropout, Seed: cfg.Seed, MaxLen: cfg.MaxLen}
	if t.SelfAttn, err = NewMultiheadAttention(g, name+".self_attn", cfg.DModel, cfg.NHead, dt, rng, acfg); err != nil {
		return nil, errors.Wrapf(err, "transformer layer %q", name)
	}
	if t.Linear1, err = NewLinear(g, name+".linear1", cfg.DModel, cfg.DimFeedforward, dt, rng); err != nil {
		return nil, errors.Wrapf(err, "transformer layer %q", name)
	}
	if t.Linear2, err = NewLinear(g, name+".linear2", cfg.DimFeedforward, cfg.DModel, dt, rng); err != nil {
		return nil, errors.Wrapf(err, "transformer layer %q", name)
	}
	ln := LayerNormConfig{Eps: cfg.LayerNormEps}
	if t.Norm1, err = NewLayerNorm(g, name+".norm1", []int{cfg.DModel}, dt, ln); err != nil {
		return nil, errors.Wrapf(err, "transformer layer %q", name)
	}
	if t.Norm2, err = NewLayerNorm(g, name+".norm2", []int{cfg.DModel}, dt, ln); err != nil {
		return nil, errors.Wrapf(err, "transformer layer %q", name)
	}
	return t, nil
}

// Params returns the parameters in state_dict order: self_attn, linear1,
// linear2, norm1, norm2.
func (t *TransformerEncoderLayer) Params() []*G.Node {
	var ps []*G.Node
	for _, m := range []Module{t.SelfAttn, t.Linear1, t.Linear2, t.Norm1, t.Norm2} {
		ps = append(ps, m.Params()...)
	}
	return ps
}

// Buffers returns nil: the layer has no buffers.
func (t *TransformerEncoderLayer) Buffers() []*Buffer { return nil }

// Forward applies the layer to x [B, L, d_model] without masks.
func (t *TransformerEncoderLayer) Forward(x *G.Node) (*G.Node, error) {
	return t.ForwardMasked(x, AttentionMasks{})
}

// ForwardMasked applies the layer to x [B, L, d_model] with the
// self-attention's masks (PyTorch's src_key_padding_mask and a causal
// src_mask).
func (t *TransformerEncoderLayer) ForwardMasked(x *G.Node, masks AttentionMasks) (*G.Node, error) {
	y, _, err := t.ForwardWithWeights(x, masks)
	return y, err
}

// ForwardWithWeights is ForwardMasked that also returns the
// self-attention's weights averaged over the heads, [B, L, L] (what the
// layer attends to; PyTorch's encoder layer discards them).
func (t *TransformerEncoderLayer) ForwardWithWeights(x *G.Node, masks AttentionMasks) (y, weights *G.Node, err error) {
	defer panics.Recover(&err, "transformer layer %q", t.Name)
	e := t.Config.DModel
	if err := t.SelfAttn.checkInputs(x, x, x); err != nil {
		return nil, nil, errors.Wrapf(err, "transformer layer %q", t.Name)
	}
	b, l := x.Shape()[0], x.Shape()[1]
	c := &chain{what: fmt.Sprintf("transformer layer %q", t.Name)}
	h := c.do(func() (*G.Node, error) { return ops.Reshape(x, b*l, e) })
	sa := func(v *G.Node) *G.Node {
		o := c.do(func() (*G.Node, error) {
			o, w, err := t.SelfAttn.attend(v, v, v, b, l, l, masks)
			weights = w
			return o, err
		})
		return t.dropout(c, o, 1)
	}
	add := func(p, q *G.Node) *G.Node { return c.do(func() (*G.Node, error) { return ops.Add(p, q) }) }
	norm := func(n *LayerNorm, v *G.Node) *G.Node { return c.do(func() (*G.Node, error) { return n.Forward(v) }) }
	if t.Config.NormFirst {
		h = add(h, sa(norm(t.Norm1, h)))
		h = add(h, t.feedForward(c, norm(t.Norm2, h)))
	} else {
		h = norm(t.Norm1, add(h, sa(h)))
		h = norm(t.Norm2, add(h, t.feedForward(c, h)))
	}
	y = c.do(func() (*G.Node, error) { return ops.Reshape(h, b, l, e) })
	if c.err != nil {
		return nil, nil, c.err
	}
	return y, weights, nil
}

// feedForward is dropout2(linear2(dropout(act(linear1(x))))) on x [N, E].
func (t *TransformerEncoderLayer) feedForward(c *chain, x *G.Node) *G.Node {
	act := ops.ReLU
	if t.Config.Activation == "gelu" {
		act = ops.GELU
	}
	h := c.do(func() (*G.Node, error) { return t.Linear1.Forward(x) })
	h = c.do(func() (*G.Node, error) { return act(h) })
	h = t.dropout(c, h, 2)
	h = c.do(func() (*G.Node, error) { return t.Linear2.Forward(h) })
	return t.dropout(c, h, 3)
}

// dropout applies the layer's dropout k (1: dropout1, 2: dropout, 3:
// dropout2), each seeded from Config.Seed and k; none when Dropout is 0.
func (t *TransformerEncoderLayer) dropout(c *chain, x *G.Node, k uint64) *G.Node {
	if t.Config.Dropout == 0 || x == nil {
		return x
	}
	return c.do(func() (*G.Node, error) { return ops.Dropout(x, t.Config.Dropout, t.Config.Seed+k) })
}
