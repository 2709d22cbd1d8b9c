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

// Compile-time check.
var _ Module = (*MultiheadAttention)(nil)

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
