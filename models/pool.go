package models

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// The pooling layers: the max and average pools over windows of
// [B, C, H, W] and [B, C, L], and the global pools over one axis.

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
