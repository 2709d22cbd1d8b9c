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

// Conv2D is PyTorch's nn.Conv2d (groups 1, dilation 1): for x [B, C, H, W],
// y[b,o,i,j] = bias[o] + sum_{c,p,q} weight[o,c,p,q] *
// xpad[b, c, i*sH+p, j*sW+q], with output size (H + 2 padH - kH)/sH + 1.
type Conv2D struct {
	Name         string
	In, Out      int    // channels
	Kernel       [2]int // kH, kW
	Stride       [2]int
	Padding      [2]int
	Weight, Bias *G.Node // <name>.weight [Out, In, kH, kW], <name>.bias [Out]
}

// NewConv2D adds a Conv2D layer's parameters to g, initialised as PyTorch
// does: kaiming_uniform(a=sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in))
// with fan_in = In*kH*kW, for weight and bias alike. A zero stride means 1.
func NewConv2D(g *G.ExprGraph, name string, in, out int, kernel, stride, padding [2]int, dt tensor.Dtype, rng *rand.Rand) (c *Conv2D, err error) {
	if stride == [2]int{} {
		stride = [2]int{1, 1}
	}
	if in <= 0 || out <= 0 || kernel[0] <= 0 || kernel[1] <= 0 || stride[0] <= 0 || stride[1] <= 0 || padding[0] < 0 || padding[1] < 0 {
		return nil, errors.Errorf("conv2d %q: bad sizes in=%d out=%d kernel=%v stride=%v padding=%v", name, in, out, kernel, stride, padding)
	}
	if err := checkInit("conv2d", name, rng, out, in, kernel[0], kernel[1]); err != nil {
		return nil, err
	}
	c = &Conv2D{Name: name, In: in, Out: out, Kernel: kernel, Stride: stride, Padding: padding}
	bound := KaimingUniformBound(in * kernel[0] * kernel[1])
	if c.Weight, err = compiler.NewParam(g, name+".weight", Uniform(rng, dt, bound, out, in, kernel[0], kernel[1])); err != nil {
		return nil, errors.Wrapf(err, "conv2d %q", name)
	}
	if c.Bias, err = compiler.NewParam(g, name+".bias", Uniform(rng, dt, bound, out)); err != nil {
		return nil, errors.Wrapf(err, "conv2d %q", name)
	}
	return c, nil
}

// Forward convolves x of shape [B, In, H, W].
func (c *Conv2D) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "conv2d %q", c.Name)
	if x.Dims() != 4 || x.Shape()[1] != c.In {
		return nil, errors.Errorf("conv2d %q: input %q has shape %v, want [batch, %d, H, W]", c.Name, x.Name(), x.Shape(), c.In)
	}
	y, err = ops.FusedConv2D(x, c.Weight, c.Bias, c.Stride, c.Padding)
	return y, errors.Wrapf(err, "conv2d %q on input of shape %v", c.Name, x.Shape())
}

// Params returns the weight and the bias, in state_dict order.
func (c *Conv2D) Params() []*G.Node { return []*G.Node{c.Weight, c.Bias} }

// Buffers returns nil: Conv2D has no buffers.
func (c *Conv2D) Buffers() []*Buffer { return nil }

// MaxPool2D is PyTorch's nn.MaxPool2d(kernel, stride, padding):
// y[b,c,i,j] = max_{p<kH,q<kW} xpad[b, c, i*sH+p, j*sW+q], x padded with -∞
// (2·padding <= kernel). A zero stride means the kernel size, as in
// PyTorch.
type MaxPool2D struct {
	stateless
	Kernel, Stride, Padding [2]int
}

// NewMaxPool2D returns a max-pooling layer.
func NewMaxPool2D(kernel, stride [2]int) *MaxPool2D {
	if stride == [2]int{} {
		stride = kernel
	}
	return &MaxPool2D{Kernel: kernel, Stride: stride}
}

// NewMaxPool2DPadded returns a max-pooling layer with -∞ padding.
func NewMaxPool2DPadded(kernel, stride, padding [2]int) *MaxPool2D {
	m := NewMaxPool2D(kernel, stride)
	m.Padding = padding
	return m
}

// Forward pools x of shape [B, C, H, W].
func (m *MaxPool2D) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "maxpool2d %v", m.Kernel)
	if x.Dims() != 4 {
		return nil, errors.Errorf("maxpool2d: input %q has shape %v, want [B, C, H, W]", x.Name(), x.Shape())
	}
	y, err = ops.MaxPool2DPadded(x, m.Kernel, m.Stride, m.Padding)
	return y, errors.Wrapf(err, "maxpool2d kernel %v stride %v padding %v on input of shape %v", m.Kernel, m.Stride, m.Padding, x.Shape())
}

// AvgPool2D is PyTorch's nn.AvgPool2d(kernel, stride, padding) with
// count_include_pad=True: the mean over each kH x kW window of the
// zero-padded input. A zero stride means the kernel size.
type AvgPool2D struct {
	stateless
	Kernel, Stride, Padding [2]int
}

// NewAvgPool2D returns an average-pooling layer.
func NewAvgPool2D(kernel, stride, padding [2]int) *AvgPool2D {
	if stride == [2]int{} {
		stride = kernel
	}
	return &AvgPool2D{Kernel: kernel, Stride: stride, Padding: padding}
}

// Forward pools x of shape [B, C, H, W].
func (a *AvgPool2D) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "avgpool2d %v", a.Kernel)
	if x.Dims() != 4 {
		return nil, errors.Errorf("avgpool2d: input %q has shape %v, want [B, C, H, W]", x.Name(), x.Shape())
	}
	y, err = ops.AvgPool2D(x, a.Kernel, a.Stride, a.Padding)
	return y, errors.Wrapf(err, "avgpool2d kernel %v stride %v padding %v on input of shape %v", a.Kernel, a.Stride, a.Padding, x.Shape())
}
