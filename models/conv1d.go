package models

import (
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// Conv1D is PyTorch's nn.Conv1d (one group): for x [B, C, L],
// y[b,o,j] = bias[o] + Σ_{c,k} weight[o,c,k] · xpad[b, c, j·s + k·d], with
// output length (L + 2p - d(K-1) - 1)/s + 1 (ops.Conv1D).
type Conv1D struct {
	Name                      string
	In, Out, Kernel           int
	Stride, Padding, Dilation int
	Weight, Bias              *G.Node // <name>.weight [Out, In, Kernel], <name>.bias [Out]
}

// Conv1DConfig holds a Conv1D's stride, padding and dilation; the zero
// value is PyTorch's default (stride 1, padding 0, dilation 1).
type Conv1DConfig struct {
	Stride, Padding, Dilation int // 0 stride or dilation means 1
}

// NewConv1D adds a Conv1D layer's parameters to g, initialised as PyTorch
// does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = In*Kernel, for
// weight and bias alike.
func NewConv1D(g *G.ExprGraph, name string, in, out, kernel int, cfg Conv1DConfig, dt tensor.Dtype, rng *rand.Rand) (c *Conv1D, err error) {
	if cfg.Stride == 0 {
		cfg.Stride = 1
	}
	if cfg.Dilation == 0 {
		cfg.Dilation = 1
	}
	if in <= 0 || out <= 0 || kernel <= 0 || cfg.Stride < 0 || cfg.Dilation < 0 || cfg.Padding < 0 {
		return nil, errors.Errorf("conv1d %q: bad sizes in=%d out=%d kernel=%d stride=%d padding=%d dilation=%d",
			name, in, out, kernel, cfg.Stride, cfg.Padding, cfg.Dilation)
	}
	c = &Conv1D{Name: name, In: in, Out: out, Kernel: kernel, Stride: cfg.Stride, Padding: cfg.Padding, Dilation: cfg.Dilation}
	bound := KaimingUniformBound(in * kernel)
	if c.Weight, err = compiler.NewParam(g, name+".weight", Uniform(rng, dt, bound, out, in, kernel)); err != nil {
		return nil, errors.Wrapf(err, "conv1d %q", name)
	}
	if c.Bias, err = compiler.NewParam(g, name+".bias", Uniform(rng, dt, bound, out)); err != nil {
		return nil, errors.Wrapf(err, "conv1d %q", name)
	}
	return c, nil
}

// Forward convolves x of shape [B, In, L].
func (c *Conv1D) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "conv1d %q", c.Name)
	if x.Dims() != 3 || x.Shape()[1] != c.In {
		return nil, errors.Errorf("conv1d %q: input %q has shape %v, want [batch, %d, length]", c.Name, x.Name(), x.Shape(), c.In)
	}
	y, err = ops.Conv1D(x, c.Weight, c.Bias, c.Stride, c.Padding, c.Dilation)
	return y, errors.Wrapf(err, "conv1d %q on input of shape %v", c.Name, x.Shape())
}

// Params returns the weight and the bias, in state_dict order.
func (c *Conv1D) Params() []*G.Node { return []*G.Node{c.Weight, c.Bias} }

// Buffers returns nil: Conv1D has no buffers.
func (c *Conv1D) Buffers() []*Buffer { return nil }

var _ Layer = (*Conv1D)(nil)
