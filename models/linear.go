package models

import (
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// Linear is PyTorch's nn.Linear: y = x W^T + b, with W stored [out, in] as
// PyTorch stores it and b of shape [out]. Built WithoutBias it is
// nn.Linear(in, out, bias=False): y = x W^T, Bias nil, no "<name>.bias" in
// the state dict.
type Linear struct {
	Name    string
	In, Out int
	Weight  *G.Node // <name>.weight, [Out, In]
	Bias    *G.Node // <name>.bias, [Out]; nil without a bias
}

// LinearOption changes how NewLinear builds a layer.
type LinearOption func(*linearConfig)

type linearConfig struct{ noBias bool }

// WithoutBias builds the layer without a bias, PyTorch's bias=False.
func WithoutBias() LinearOption { return func(c *linearConfig) { c.noBias = true } }

// NewLinear adds a Linear layer's parameters to g, initialised as PyTorch
// does (U(-1/sqrt(in), 1/sqrt(in)) for weight and bias) from rng.
func NewLinear(g *G.ExprGraph, name string, in, out int, dt tensor.Dtype, rng *rand.Rand, opts ...LinearOption) (l *Linear, err error) {
	if in <= 0 || out <= 0 {
		return nil, errors.Errorf("linear %q: sizes must be positive, got in=%d out=%d", name, in, out)
	}
	var cfg linearConfig
	for _, o := range opts {
		o(&cfg)
	}
	l = &Linear{Name: name, In: in, Out: out}
	p := newLayerParams(g, "linear", name, dt, rng)
	if l.Weight, l.Bias = p.weightAndBias(!cfg.noBias, out, in); p.err != nil {
		return nil, p.err
	}
	return l, nil
}

// Forward returns x W^T + b for x of shape [batch, In], as one fused op
// (ops.Linear: a BLAS gemm with W's transpose flag, no transposed copy);
// x W^T (ops.Gemm) without a bias.
func (l *Linear) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "linear %q", l.Name)
	if x == nil {
		return nil, errors.Errorf("linear %q: nil input node", l.Name)
	}
	if x.Dims() != 2 || x.Shape()[1] != l.In {
		return nil, errors.Errorf("linear %q: input %q has shape %v, want [batch, %d]", l.Name, x.Name(), x.Shape(), l.In)
	}
	if l.Bias == nil {
		y, err = ops.Gemm(x, l.Weight, false, true)
	} else {
		y, err = ops.Linear(x, l.Weight, l.Bias)
	}
	return y, errors.Wrapf(err, "linear %q", l.Name)
}

// Params returns the weight and the bias (if any), in state_dict order.
func (l *Linear) Params() []*G.Node {
	if l.Bias == nil {
		return []*G.Node{l.Weight}
	}
	return []*G.Node{l.Weight, l.Bias}
}

// Buffers returns nil: Linear has no buffers.
func (l *Linear) Buffers() []*Buffer { return nil }
