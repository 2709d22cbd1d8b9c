package models

import (
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// The convolution and pooling layers: Conv2D and Conv1D, the max and
// average pools over [B, C, H, W] and [B, C, L], and the global pools over
// one axis.

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
	c = &Conv2D{Name: name, In: in, Out: out, Kernel: kernel, Stride: stride, Padding: padding}
	p := newLayerParams(g, "conv2d", name, dt, rng)
	if c.Weight, c.Bias = p.weightAndBias(true, out, in, kernel[0], kernel[1]); p.err != nil {
		return nil, p.err
	}
	return c, nil
}

// Forward convolves x of shape [B, In, H, W].
func (c *Conv2D) Forward(x *G.Node) (y *G.Node, err error) {
	return convolve("conv2d", c.Name, x, c.In, 4, "H, W", func() (*G.Node, error) {
		return ops.FusedConv2D(x, c.Weight, c.Bias, c.Stride, c.Padding)
	})
}

// Params returns the weight and the bias, in state_dict order.
func (c *Conv2D) Params() []*G.Node { return []*G.Node{c.Weight, c.Bias} }

// Buffers returns nil: Conv2D has no buffers.
func (c *Conv2D) Buffers() []*Buffer { return nil }

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
	p := newLayerParams(g, "conv1d", name, dt, rng)
	if c.Weight, c.Bias = p.weightAndBias(true, out, in, kernel); p.err != nil {
		return nil, p.err
	}
	return c, nil
}

// Forward convolves x of shape [B, In, L].
func (c *Conv1D) Forward(x *G.Node) (y *G.Node, err error) {
	return convolve("conv1d", c.Name, x, c.In, 3, "length", func() (*G.Node, error) {
		return ops.Conv1D(x, c.Weight, c.Bias, c.Stride, c.Padding, c.Dilation)
	})
}

// Params returns the weight and the bias, in state_dict order.
func (c *Conv1D) Params() []*G.Node { return []*G.Node{c.Weight, c.Bias} }

// Buffers returns nil: Conv1D has no buffers.
func (c *Conv1D) Buffers() []*Buffer { return nil }

// convolve is the forward rule of the kind ("conv2d") convolution named
// name: it checks that x is [batch, in, spatial...] of the given rank (the
// spatial axes named by spatial, "H, W"), then runs conv, recovering its
// panics and wrapping its error with the layer and x's shape.
func convolve(kind, name string, x *G.Node, in, rank int, spatial string, conv func() (*G.Node, error)) (y *G.Node, err error) {
	defer panics.Recover(&err, "%s %q", kind, name)
	if x.Dims() != rank || x.Shape()[1] != in {
		return nil, errors.Errorf("%s %q: input %q has shape %v, want [batch, %d, %s]", kind, name, x.Name(), x.Shape(), in, spatial)
	}
	y, err = conv()
	return y, errors.Wrapf(err, "%s %q on input of shape %v", kind, name, x.Shape())
}

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
	return &MaxPool2D{Kernel: kernel, Stride: poolStride(kernel, stride)}
}

// NewMaxPool2DPadded returns a max-pooling layer with -∞ padding.
func NewMaxPool2DPadded(kernel, stride, padding [2]int) *MaxPool2D {
	m := NewMaxPool2D(kernel, stride)
	m.Padding = padding
	return m
}

// Forward pools x of shape [B, C, H, W].
func (m *MaxPool2D) Forward(x *G.Node) (y *G.Node, err error) {
	return pool("maxpool2d", ops.MaxPool2DPadded, x, m.Kernel, m.Stride, m.Padding)
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
	return &AvgPool2D{Kernel: kernel, Stride: poolStride(kernel, stride), Padding: padding}
}

// Forward pools x of shape [B, C, H, W].
func (a *AvgPool2D) Forward(x *G.Node) (y *G.Node, err error) {
	return pool("avgpool2d", ops.AvgPool2D, x, a.Kernel, a.Stride, a.Padding)
}

// MaxPool1D is PyTorch's nn.MaxPool1d(kernel, stride, padding) over
// [B, C, L]: y[b,c,j] = max_{k<K} xpad[b, c, j·s + k], padded with -∞
// (2·padding <= kernel). A zero stride means the kernel size, as in
// PyTorch.
type MaxPool1D struct {
	stateless
	Kernel, Stride, Padding int
}

// NewMaxPool1D returns a 1-D max-pooling layer.
func NewMaxPool1D(kernel, stride, padding int) *MaxPool1D {
	return &MaxPool1D{Kernel: kernel, Stride: poolStride(kernel, stride), Padding: padding}
}

// Forward pools x of shape [B, C, L].
func (m *MaxPool1D) Forward(x *G.Node) (y *G.Node, err error) {
	return pool("maxpool1d", ops.MaxPool1D, x, m.Kernel, m.Stride, m.Padding)
}

// AvgPool1D is PyTorch's nn.AvgPool1d(kernel, stride, padding) with
// count_include_pad=True over [B, C, L]: the mean over each window of the
// zero-padded input. A zero stride means the kernel size.
type AvgPool1D struct {
	stateless
	Kernel, Stride, Padding int
}

// NewAvgPool1D returns a 1-D average-pooling layer.
func NewAvgPool1D(kernel, stride, padding int) *AvgPool1D {
	return &AvgPool1D{Kernel: kernel, Stride: poolStride(kernel, stride), Padding: padding}
}

// Forward pools x of shape [B, C, L].
func (a *AvgPool1D) Forward(x *G.Node) (y *G.Node, err error) {
	return pool("avgpool1d", ops.AvgPool1D, x, a.Kernel, a.Stride, a.Padding)
}

// window is the type of a pool's kernel, stride and padding: int for the
// 1-D pools, [2]int (height, width) for the 2-D ones.
type window interface{ int | [2]int }

// poolStride is a pool's stride: the kernel size when stride is zero, as
// in PyTorch.
func poolStride[W window](kernel, stride W) W {
	var zero W
	if stride == zero {
		return kernel
	}
	return stride
}

// pool is the forward rule of the kind ("maxpool2d") pooling layer: op on x
// with the layer's kernel, stride and padding, its panics recovered and its
// error wrapped with them and x's shape. A 2-D pool checks that x is
// [B, C, H, W]; the 1-D ops check [N, C, L] themselves.
func pool[W window](kind string, op func(x *G.Node, kernel, stride, padding W) (*G.Node, error), x *G.Node, kernel, stride, padding W) (y *G.Node, err error) {
	defer panics.Recover(&err, "%s %v", kind, kernel)
	if _, is2D := any(kernel).([2]int); is2D && x.Dims() != 4 {
		return nil, errors.Errorf("%s: input %q has shape %v, want [B, C, H, W]", kind, x.Name(), x.Shape())
	}
	y, err = op(x, kernel, stride, padding)
	return y, errors.Wrapf(err, "%s kernel %v stride %v padding %v on input of shape %v", kind, kernel, stride, padding, x.Shape())
}

// GlobalMaxPool is the maximum over one axis (negative counts from the
// end), which it removes: PyTorch's x.amax(dim=Axis), e.g. max over time
// of [B, C, L] with Axis 2 (or -1) gives [B, C]. Tied maxima share the
// gradient evenly (ops.MaxAlong).
type GlobalMaxPool struct {
	stateless
	Axis int
}

// Forward takes the maximum of x over the axis.
func (p *GlobalMaxPool) Forward(x *G.Node) (y *G.Node, err error) {
	return globalPool("global max pool", ops.MaxAlong, x, p.Axis)
}

// GlobalAvgPool is the mean over one axis (negative counts from the end),
// which it removes: PyTorch's x.mean(dim=Axis).
type GlobalAvgPool struct {
	stateless
	Axis int
}

// Forward takes the mean of x over the axis.
func (p *GlobalAvgPool) Forward(x *G.Node) (y *G.Node, err error) {
	return globalPool("global mean pool", ops.MeanAlong, x, p.Axis)
}

// globalPool is the forward rule of the kind ("global max pool") global
// pool: op (ops.MaxAlong, ops.MeanAlong) over the axis of x, which must
// be at least [batch, features].
func globalPool(kind string, op func(x *G.Node, axes ...int) (*G.Node, error), x *G.Node, axis int) (y *G.Node, err error) {
	defer panics.Recover(&err, "%s over axis %d", kind, axis)
	if x.Dims() < 2 {
		return nil, errors.Errorf("%s: input %q has shape %v, want at least [batch, features]", kind, x.Name(), x.Shape())
	}
	y, err = op(x, axis)
	return y, errors.Wrapf(err, "%s over axis %d of input of shape %v", kind, axis, x.Shape())
}
