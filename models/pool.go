package models

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

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
	if stride == 0 {
		stride = kernel
	}
	return &MaxPool1D{Kernel: kernel, Stride: stride, Padding: padding}
}

// Forward pools x of shape [B, C, L].
func (m *MaxPool1D) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "maxpool1d %d", m.Kernel)
	y, err = ops.MaxPool1D(x, m.Kernel, m.Stride, m.Padding)
	return y, errors.Wrapf(err, "maxpool1d kernel %d stride %d padding %d on input of shape %v", m.Kernel, m.Stride, m.Padding, x.Shape())
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
	if stride == 0 {
		stride = kernel
	}
	return &AvgPool1D{Kernel: kernel, Stride: stride, Padding: padding}
}

// Forward pools x of shape [B, C, L].
func (a *AvgPool1D) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "avgpool1d %d", a.Kernel)
	y, err = ops.AvgPool1D(x, a.Kernel, a.Stride, a.Padding)
	return y, errors.Wrapf(err, "avgpool1d kernel %d stride %d padding %d on input of shape %v", a.Kernel, a.Stride, a.Padding, x.Shape())
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
	defer panics.Recover(&err, "global max pool over axis %d", p.Axis)
	if x.Dims() < 2 {
		return nil, errors.Errorf("global max pool: input %q has shape %v, want at least [batch, features]", x.Name(), x.Shape())
	}
	y, err = ops.MaxAlong(x, p.Axis)
	return y, errors.Wrapf(err, "global max pool over axis %d of input of shape %v", p.Axis, x.Shape())
}

// GlobalAvgPool is the mean over one axis (negative counts from the end),
// which it removes: PyTorch's x.mean(dim=Axis).
type GlobalAvgPool struct {
	stateless
	Axis int
}

// Forward takes the mean of x over the axis.
func (p *GlobalAvgPool) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "global mean pool over axis %d", p.Axis)
	if x.Dims() < 2 {
		return nil, errors.Errorf("global mean pool: input %q has shape %v, want at least [batch, features]", x.Name(), x.Shape())
	}
	y, err = ops.MeanAlong(x, p.Axis)
	return y, errors.Wrapf(err, "global mean pool over axis %d of input of shape %v", p.Axis, x.Shape())
}

// Compile-time checks that the pooling layers are Layers.
var (
	_ Layer = (*MaxPool1D)(nil)
	_ Layer = (*AvgPool1D)(nil)
	_ Layer = (*GlobalMaxPool)(nil)
	_ Layer = (*GlobalAvgPool)(nil)
)
