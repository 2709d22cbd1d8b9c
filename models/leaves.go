package models

import (
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
)

// layerParams adds one layer's parameters to its graph, the one place that
// names them and fills them in: each is named <layer>.<field>, as
// PyTorch's state_dict names it ("fc1.weight", "lstm.bias_hh_l0"), and
// starts from the layer's PyTorch initialisation, drawn from rng in the
// order the fields are added. The first error is kept, wrapped with the
// layer's kind and name (`linear "fc1": ...`); once there is one, adding
// does nothing and returns nil.
type layerParams struct {
	g          *G.ExprGraph
	kind, name string // "linear", "fc1"
	dt         tensor.Dtype
	rng        *rand.Rand // nil for a layer whose init draws nothing
	err        error
}

func newLayerParams(g *G.ExprGraph, kind, name string, dt tensor.Dtype, rng *rand.Rand) *layerParams {
	return &layerParams{g: g, kind: kind, name: name, dt: dt, rng: rng}
}

// value adds the parameter <layer>.<field> holding v.
func (p *layerParams) value(field string, v *tensor.Dense) *G.Node {
	if p.err != nil {
		return nil
	}
	n, err := compiler.NewParam(p.g, p.name+"."+field, v)
	if err != nil {
		p.err = errors.Wrapf(err, "%s %q", p.kind, p.name)
	}
	return n
}

// uniform adds <layer>.<field> drawn from U(-bound, bound), refusing a
// nil rng and a shape of more than 2^40 elements before it allocates.
func (p *layerParams) uniform(field string, bound float64, shape ...int) *G.Node {
	if p.err == nil {
		p.err = checkInit(p.kind, p.name, p.rng, shape...)
	}
	if p.err != nil {
		return nil
	}
	return p.value(field, Uniform(p.rng, p.dt, bound, shape...))
}

// zeros adds <layer>.<field> filled with 0 (a bias).
func (p *layerParams) zeros(field string, shape ...int) *G.Node {
	return p.value(field, tensor.New(tensor.Of(p.dt), tensor.WithShape(shape...)))
}

// ones adds <layer>.<field> filled with 1 (a norm's weight).
func (p *layerParams) ones(field string, shape ...int) *G.Node {
	v := tensor.New(tensor.Of(p.dt), tensor.WithShape(shape...))
	one := any(1.0)
	if p.dt == tensor.Float32 {
		one = float32(1)
	}
	if err := v.Memset(one); err != nil && p.err == nil {
		p.err = errors.Wrapf(err, "%s %q", p.kind, p.name)
	}
	return p.value(field, v)
}

// weightAndBias adds PyTorch's default weight [out, in, k...] of a Linear
// or Conv layer, kaiming_uniform_(a=sqrt(5)), and (withBias) its bias
// [out], both drawn from U(±1/sqrt(fan_in)) with fan_in = in·Πk, the
// weight first (torch.nn.init._calculate_fan_in_and_fan_out).
func (p *layerParams) weightAndBias(withBias bool, shape ...int) (w, b *G.Node) {
	fanIn := 1
	for _, d := range shape[1:] {
		fanIn *= d
	}
	bound := KaimingUniformBound(fanIn)
	w = p.uniform("weight", bound, shape...)
	if withBias {
		b = p.uniform("bias", bound, shape[0])
	}
	return w, b
}

// zeroState returns a zero constant [b, hidden] of like's dtype on like's
// graph: a recurrent layer's initial state h0 (and the LSTM's c0).
func zeroState(like *G.Node, b, hidden int) (*G.Node, error) {
	return compiler.Constant(like.Graph(), tensor.New(tensor.Of(like.Dtype()), tensor.WithShape(b, hidden)))
}
