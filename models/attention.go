package models

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// The attention layers: MultiheadAttention and the
// TransformerEncoderLayer built around it (its self-attention runs
// MultiheadAttention.attend); chain strings their graph-building steps.

// MultiheadAttention is PyTorch's nn.MultiheadAttention(embed_dim,
// num_heads, dropout, batch_first=True) with its state_dict:
// <name>.in_proj_weight [3E, E] (the q, k and v projections stacked),
// <name>.in_proj_bias [3E], <name>.out_proj.weight [E, E] and
// <name>.out_proj.bias [E].
//
// For queries [B, L, E] and keys and values [B, S, E], each head h of
// width d = E/H computes softmax(q_h k_hᵀ/√d + masks) v_h; the heads are
// concatenated and projected by out_proj. The attention weights returned
// are the softmax averaged over the heads, [B, L, S], as PyTorch returns
// them with need_weights=True (after dropout, as PyTorch's).
type MultiheadAttention struct {
	Name         string
	Embed, Heads int
	Dropout      float64 // on the attention weights, in training mode
	Seed         uint64  // the dropout's seed
	MaxLen       int     // the longest sequence accepted; 0: any
	InProjWeight *G.Node // <name>.in_proj_weight, [3E, E]
	InProjBias   *G.Node // <name>.in_proj_bias, [3E]
	OutProj      *Linear // <name>.out_proj
}

// AttentionConfig are MultiheadAttention's options; the zero value is no
// dropout and no length limit.
type AttentionConfig struct {
	Dropout float64 // PyTorch's dropout (its default is 0 too)
	Seed    uint64  // seeds the dropout masks
	MaxLen  int     // longest query or key sequence Forward accepts; 0: any
}

// AttentionMasks are the masks of one attention call.
type AttentionMasks struct {
	// KeyPadding is PyTorch's key_padding_mask [B, S]: bool (true: the key
	// is padding and is ignored) or float of the model's dtype (added to
	// the scores). nil: none.
	KeyPadding *G.Node
	// Causal masks every key after the query (s > l), PyTorch's
	// attn_mask = generate_square_subsequent_mask(L).
	Causal bool
}

// NewMultiheadAttention adds the attention's parameters to g, initialised
// as torch 1.13's MultiheadAttention._reset_parameters: in_proj_weight
// xavier_uniform (U(±√(6/(E + 3E)))), in_proj_bias 0, out_proj.weight as a
// Linear's (U(±1/√E)) and out_proj.bias 0. heads must divide embed.
func NewMultiheadAttention(g *G.ExprGraph, name string, embed, heads int, dt tensor.Dtype, rng *rand.Rand, cfg AttentionConfig) (a *MultiheadAttention, err error) {
	switch {
	case embed <= 0 || heads <= 0:
		return nil, errors.Errorf("attention %q: embed_dim %d and num_heads %d must be positive", name, embed, heads)
	case embed%heads != 0:
		return nil, errors.Errorf("attention %q: num_heads %d does not divide embed_dim %d", name, heads, embed)
	case !(cfg.Dropout >= 0 && cfg.Dropout < 1):
		return nil, errors.Errorf("attention %q: dropout %g is outside [0, 1)", name, cfg.Dropout)
	case cfg.MaxLen < 0:
		return nil, errors.Errorf("attention %q: MaxLen %d is negative", name, cfg.MaxLen)
	}
	a = &MultiheadAttention{Name: name, Embed: embed, Heads: heads, Dropout: cfg.Dropout, Seed: cfg.Seed, MaxLen: cfg.MaxLen}
	xavier := math.Sqrt(6 / float64(embed+3*embed))
	p := newLayerParams(g, "attention", name, dt, rng)
	a.InProjWeight = p.uniform("in_proj_weight", xavier, 3*embed, embed)
	if a.InProjBias = p.zeros("in_proj_bias", 3*embed); p.err != nil {
		return nil, p.err
	}
	if a.OutProj, err = NewLinear(g, name+".out_proj", embed, embed, dt, rng); err != nil {
		return nil, errors.Wrapf(err, "attention %q", name)
	}
	a.OutProj.Bias.Value().(*tensor.Dense).Zero()
	return a, nil
}

// Params returns in_proj_weight, in_proj_bias, out_proj.weight and
// out_proj.bias, in state_dict order.
func (a *MultiheadAttention) Params() []*G.Node {
	return append([]*G.Node{a.InProjWeight, a.InProjBias}, a.OutProj.Params()...)
}

// Buffers returns nil: attention has no buffers.
func (a *MultiheadAttention) Buffers() []*Buffer { return nil }

// Forward is attention of query [B, L, E] over key and value [B, S, E]
// (pass the same node three times for self-attention): the output
// [B, L, E] and the head-averaged attention weights [B, L, S].
func (a *MultiheadAttention) Forward(query, key, value *G.Node, masks AttentionMasks) (out, weights *G.Node, err error) {
	defer panics.Recover(&err, "attention %q", a.Name)
	if err := a.checkInputs(query, key, value); err != nil {
		return nil, nil, err
	}
	b, l, s := query.Shape()[0], query.Shape()[1], key.Shape()[1]
	flat := func(x *G.Node, n int) (*G.Node, error) { return ops.Reshape(x, b*n, a.Embed) }
	q, err := flat(query, l)
	k, v := q, q
	if err == nil && key != query {
		k, err = flat(key, s)
	}
	if err == nil && value != query {
		v, err = flat(value, s)
	}
	if err != nil {
		return nil, nil, errors.Wrapf(err, "attention %q", a.Name)
	}
	o, weights, err := a.attend(q, k, v, b, l, s, masks)
	if err != nil {
		return nil, nil, err
	}
	out, err = ops.Reshape(o, b, l, a.Embed)
	return out, weights, errors.Wrapf(err, "attention %q", a.Name)
}

// checkInputs checks the shapes and dtypes of Forward's inputs.
func (a *MultiheadAttention) checkInputs(query, key, value *G.Node) error {
	for _, x := range []*G.Node{query, key, value} {
		if s := x.Shape(); x.Dims() != 3 || s[2] != a.Embed || s[0] != query.Shape()[0] {
			return errors.Errorf("attention %q: %q has shape %v, want [batch, sequence, %d] (batch_first) with the query's batch", a.Name, x.Name(), s, a.Embed)
		}
		if x.Dtype() != a.InProjWeight.Dtype() {
			return errors.Errorf("attention %q: %q has dtype %v, the layer %v", a.Name, x.Name(), x.Dtype(), a.InProjWeight.Dtype())
		}
	}
	if !key.Shape().Eq(value.Shape()) {
		return errors.Errorf("attention %q: key %v and value %v differ in shape", a.Name, key.Shape(), value.Shape())
	}
	for _, x := range []*G.Node{query, key} {
		if n := x.Shape()[1]; a.MaxLen > 0 && n > a.MaxLen {
			return errors.Errorf("attention %q: %q is a sequence of length %d, longer than the %d the layer was built for", a.Name, x.Name(), n, a.MaxLen)
		}
	}
	return nil
}

// attend runs attention on flattened q [B·L, E], k and v [B·S, E] (k and v
// may be q itself: self-attention projects once with the whole
// in_proj_weight) and returns the output [B·L, E] and the averaged weights.
func (a *MultiheadAttention) attend(q, k, v *G.Node, b, l, s int, masks AttentionMasks) (out, weights *G.Node, err error) {
	c := &chain{what: fmt.Sprintf("attention %q", a.Name)}
	e, h := a.Embed, a.Heads
	d := e / h
	var qp, kp, vp *G.Node
	if q == k && k == v {
		all := c.do(func() (*G.Node, error) { return ops.Linear(q, a.InProjWeight, a.InProjBias) })
		qp, kp, vp = c.narrow(all, 1, 0, e), c.narrow(all, 1, e, e), c.narrow(all, 1, 2*e, e)
	} else {
		proj := func(x *G.Node, i int) *G.Node {
			w, bias := c.narrow(a.InProjWeight, 0, i*e, e), c.narrow(a.InProjBias, 0, i*e, e)
			return c.do(func() (*G.Node, error) { return ops.Linear(x, w, bias) })
		}
		qp, kp, vp = proj(q, 0), proj(k, 1), proj(v, 2)
	}
	heads := func(x *G.Node, n int) *G.Node { // [B·n, E] -> [B, H, n, d]
		r := c.do(func() (*G.Node, error) { return ops.Reshape(x, b, n, h, d) })
		return c.do(func() (*G.Node, error) { return ops.SwapAxes(r, 1, 2) })
	}
	qp = c.do(func() (*G.Node, error) { return ops.Mul(qp, 1/math.Sqrt(float64(d))) })
	qh, kh, vh := heads(qp, l), heads(kp, s), heads(vp, s)
	scores := c.do(func() (*G.Node, error) { return ops.BatchedMatMul(qh, kh, false, true) })
	scores = c.do(func() (*G.Node, error) { return ops.AttentionMask(scores, masks.KeyPadding, masks.Causal) })
	attn := c.do(func() (*G.Node, error) { return ops.Softmax(scores, -1) })
	if a.Dropout > 0 {
		attn = c.do(func() (*G.Node, error) { return ops.Dropout(attn, a.Dropout, a.Seed) })
	}
	o := c.do(func() (*G.Node, error) { return ops.BatchedMatMul(attn, vh, false, false) })
	o = c.do(func() (*G.Node, error) { return ops.SwapAxes(o, 1, 2) })
	o = c.do(func() (*G.Node, error) { return ops.Reshape(o, b*l, e) })
	out = c.do(func() (*G.Node, error) { return a.OutProj.Forward(o) })
	weights = c.do(func() (*G.Node, error) { return ops.MeanAlong(attn, 1) })
	return out, weights, c.err
}

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

// chain runs graph-building steps until the first error, which it keeps
// (wrapped with what).
type chain struct {
	what string
	err  error
}

func (c *chain) do(f func() (*G.Node, error)) *G.Node {
	if c.err != nil {
		return nil
	}
	n, err := f()
	if err != nil {
		c.err = errors.Wrap(err, c.what)
	}
	return n
}

func (c *chain) narrow(x *G.Node, axis, start, length int) *G.Node {
	return c.do(func() (*G.Node, error) { return ops.Narrow(x, axis, start, length) })
}
