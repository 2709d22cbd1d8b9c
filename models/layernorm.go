package models

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// LayerNorm is PyTorch's nn.LayerNorm(normalized_shape, eps,
// elementwise_affine): y = (x - μ)/√(σ² + eps) ⊙ weight + bias, with μ
// and the biased σ² over the last len(Shape) axes of x, which must equal
// Shape. weight (ones) and bias (zeros) have shape Shape; without the
// affine part there are neither.
type LayerNorm struct {
	Name   string
	Shape  []int   // normalized_shape
	Eps    float64 // added to the variance
	Weight *G.Node // <name>.weight, Shape; nil without the affine part
	Bias   *G.Node // <name>.bias, Shape; nil without the affine part
}

// LayerNormConfig are LayerNorm's options; the zero value is PyTorch's
// default (eps 1e-5, elementwise_affine=True).
type LayerNormConfig struct {
	Eps      float64 // 0 means 1e-5
	NoAffine bool    // elementwise_affine=False
}

// NewLayerNorm adds a LayerNorm over the trailing axes shape to g.
func NewLayerNorm(g *G.ExprGraph, name string, shape []int, dt tensor.Dtype, cfg LayerNormConfig) (l *LayerNorm, err error) {
	if len(shape) == 0 {
		return nil, errors.Errorf("layer norm %q: normalized_shape is empty", name)
	}
	for _, d := range shape {
		if d <= 0 {
			return nil, errors.Errorf("layer norm %q: normalized_shape %v has a non-positive size", name, shape)
		}
	}
	if cfg.Eps < 0 {
		return nil, errors.Errorf("layer norm %q: eps %g is negative", name, cfg.Eps)
	}
	if cfg.Eps == 0 {
		cfg.Eps = 1e-5
	}
	l = &LayerNorm{Name: name, Shape: append([]int(nil), shape...), Eps: cfg.Eps}
	if cfg.NoAffine {
		return l, nil
	}
	p := newLayerParams(g, "layer norm", name, dt, nil)
	if l.Weight, l.Bias = p.ones("weight", shape...), p.zeros("bias", shape...); p.err != nil {
		return nil, p.err
	}
	return l, nil
}

// Forward normalises x [..., Shape...] over its trailing len(Shape) axes.
// It runs ops.LayerNorm on x viewed as [rows, Π Shape] (copying reshapes
// when x is not already that matrix).
func (l *LayerNorm) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "layer norm %q", l.Name)
	s := x.Shape()
	k := len(l.Shape)
	ok := len(s) > k
	for i := 0; ok && i < k; i++ {
		ok = s[len(s)-k+i] == l.Shape[i]
	}
	if !ok {
		return nil, errors.Errorf("layer norm %q: input %q has shape %v, want [batch..., %v]", l.Name, x.Name(), s, l.Shape)
	}
	d := tensor.Shape(l.Shape).TotalSize()
	rows := s.TotalSize() / d
	flat := len(s) != 2 || k != 1
	in, w, b := x, l.Weight, l.Bias
	if flat {
		if in, err = ops.Reshape(x, rows, d); err != nil {
			return nil, errors.Wrapf(err, "layer norm %q", l.Name)
		}
	}
	if k > 1 && w != nil {
		if w, err = ops.Reshape(w, d); err == nil {
			b, err = ops.Reshape(b, d)
		}
		if err != nil {
			return nil, errors.Wrapf(err, "layer norm %q", l.Name)
		}
	}
	if y, err = ops.LayerNorm(in, w, b, l.Eps); err != nil {
		return nil, errors.Wrapf(err, "layer norm %q", l.Name)
	}
	if flat {
		y, err = ops.Reshape(y, s...)
	}
	return y, errors.Wrapf(err, "layer norm %q", l.Name)
}

// Params returns the weight and the bias (none without the affine part).
func (l *LayerNorm) Params() []*G.Node {
	if l.Weight == nil {
		return nil
	}
	return []*G.Node{l.Weight, l.Bias}
}

// Buffers returns nil: LayerNorm has no buffers.
func (l *LayerNorm) Buffers() []*Buffer { return nil }
