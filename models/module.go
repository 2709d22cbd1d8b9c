package models

import (
	"fmt"
	"slices"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// Module is anything that holds state a checkpoint saves: trainable
// parameters (graph leaves named "<layer>.<pytorch name>") and buffers
// (non-trainable tensors such as BatchNorm's running statistics). Both are
// listed in PyTorch's state_dict order: a module's parameters, then its
// buffers.
type Module interface {
	Params() []*G.Node
	Buffers() []*Buffer
}

// Layer is a Module with a forward rule from one node to one node; layers
// chain in a Sequential.
type Layer interface {
	Module
	Forward(x *G.Node) (*G.Node, error)
}

// Compile-time checks that every layer is a Layer, or a Module for those
// whose Forward takes or returns more than one node.
var (
	_ Layer  = (*Linear)(nil)
	_ Layer  = (*Conv2D)(nil)
	_ Layer  = (*Conv1D)(nil)
	_ Layer  = (*MaxPool2D)(nil)
	_ Layer  = (*AvgPool2D)(nil)
	_ Layer  = (*MaxPool1D)(nil)
	_ Layer  = (*AvgPool1D)(nil)
	_ Layer  = (*GlobalMaxPool)(nil)
	_ Layer  = (*GlobalAvgPool)(nil)
	_ Layer  = (*BatchNorm)(nil)
	_ Layer  = (*Dropout)(nil)
	_ Layer  = (*Flatten)(nil)
	_ Layer  = (*Func)(nil)
	_ Layer  = (*Embedding)(nil)
	_ Layer  = (*Sequential)(nil)
	_ Layer  = (*TransformerEncoderLayer)(nil)
	_ Layer  = (*LayerNorm)(nil)
	_ Module = (*LSTM)(nil)
	_ Module = (*GRU)(nil)
	_ Module = (*MultiheadAttention)(nil)
)

// Buffer is a named non-trainable tensor of a layer's state, such as
// BatchNorm's running_mean, running_var and num_batches_tracked. Buffers
// are saved in checkpoints beside the parameters but never differentiated.
type Buffer struct {
	Name  string       // full state_dict name, e.g. "bn1.running_mean"
	Dtype tensor.Dtype // Float64/Float32 for statistics, Int64 for counts
	Shape tensor.Shape // () for a 0-d count

	value func() *tensor.Dense      // the current value
	load  func(*tensor.Dense) error // copy a validated value in
}

// Value returns the buffer's current value. Tensor buffers (running
// statistics) are returned live: the ops update them in place, so copy
// (Clone) for a snapshot. A 0-d count is returned as a fresh 0-d tensor.
func (b *Buffer) Value() *tensor.Dense { return b.value() }

// Load copies v into the buffer. v must have the buffer's dtype and shape.
func (b *Buffer) Load(v *tensor.Dense) (err error) {
	defer panics.Recover(&err, "buffer %q", b.Name)
	if err := checkTensor(b.Name, v, b.Dtype, b.Shape); err != nil {
		return err
	}
	return b.load(v)
}

// tensorBuffer is a Buffer over a live tensor updated in place.
func tensorBuffer(name string, t *tensor.Dense) *Buffer {
	return &Buffer{
		Name: name, Dtype: t.Dtype(), Shape: t.Shape().Clone(),
		value: func() *tensor.Dense { return t },
		load:  func(v *tensor.Dense) error { return copyDense(t, v) },
	}
}

// countBuffer is a 0-d int64 Buffer over a counter.
func countBuffer(name string, n *int64) *Buffer {
	return &Buffer{
		Name: name, Dtype: tensor.Int64, Shape: tensor.Shape{},
		value: func() *tensor.Dense { return tensor.New(tensor.FromScalar(*n)) },
		load: func(v *tensor.Dense) error {
			c, ok := v.Data().(int64)
			if !ok {
				return errors.Errorf("buffer %q: want a 0-d int64, got data of type %T", name, v.Data())
			}
			*n = c
			return nil
		},
	}
}

// stateless gives a layer without parameters or buffers its Module methods.
type stateless struct{}

// Params returns nil: the layer has no parameters.
func (stateless) Params() []*G.Node { return nil }

// Buffers returns nil: the layer has no buffers.
func (stateless) Buffers() []*Buffer { return nil }

// Sequential is PyTorch's nn.Sequential: it applies its layers in order.
// Layers carry their own full names (PyTorch's Sequential names its children
// "0", "1", ...; name the layers that way for a drop-in state_dict).
type Sequential struct {
	Layers []Layer
}

// NewSequential chains layers.
func NewSequential(layers ...Layer) *Sequential { return &Sequential{Layers: layers} }

// Forward applies every layer in turn.
func (s *Sequential) Forward(x *G.Node) (*G.Node, error) {
	for i, l := range s.Layers {
		y, err := l.Forward(x)
		if err != nil {
			return nil, errors.Wrapf(err, "sequential layer %d", i)
		}
		x = y
	}
	return x, nil
}

// Params returns every layer's parameters, in order.
func (s *Sequential) Params() []*G.Node {
	var ps []*G.Node
	for _, l := range s.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Buffers returns every layer's buffers, in order.
func (s *Sequential) Buffers() []*Buffer {
	var bs []*Buffer
	for _, l := range s.Layers {
		bs = append(bs, l.Buffers()...)
	}
	return bs
}

// Func is a stateless layer applying a function, such as an activation.
type Func struct {
	stateless
	Name string
	Fn   func(*G.Node) (*G.Node, error)
}

// Forward returns Fn(x).
func (f *Func) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "layer %q", f.Name)
	y, err = f.Fn(x)
	return y, errors.Wrapf(err, "layer %q on input of shape %v", f.Name, x.Shape())
}

// Flatten is PyTorch's nn.Flatten(): [B, d1, d2, ...] -> [B, d1*d2*...].
type Flatten struct{ stateless }

// Forward reshapes x to [B, rest] (a copy: ops.Reshape).
func (*Flatten) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "flatten of shape %v", x.Shape())
	s := x.Shape()
	if len(s) < 2 {
		return nil, errors.Errorf("flatten: input %q has shape %v, want at least 2 dims", x.Name(), s)
	}
	if len(s) == 2 {
		return x, nil
	}
	// symgrad's copying reshape (preallocated output): Gorgonia's view
	// reshape allocates a header per step and aliases x.
	y, err = ops.Reshape(x, s[0], s.TotalSize()/s[0])
	return y, errors.Wrapf(err, "flatten of shape %v", s)
}

// checkTensor checks that v is a non-nil tensor of dtype dt and shape want.
func checkTensor(name string, v *tensor.Dense, dt tensor.Dtype, want tensor.Shape) error {
	if v == nil {
		return errors.Errorf("tensor %q is nil", name)
	}
	if v.Dtype() != dt {
		return errors.Errorf("tensor %q: dtype %v, the model has %v", name, v.Dtype(), dt)
	}
	if !slices.Equal(v.Shape(), want) { // exactly: tensor.Shape.Eq takes () and (1) alike
		return errors.Errorf("tensor %q: shape %v, the model has %v", name, shapeString(v.Shape()), shapeString(want))
	}
	return nil
}

func shapeString(s tensor.Shape) string {
	if len(s) == 0 {
		return "[] (0-d)"
	}
	return fmt.Sprint([]int(s))
}

// copyDense copies src's elements into dst (same dtype and size), in
// src's logical row-major order.
func copyDense(dst, src *tensor.Dense) error {
	if !src.IsMaterializable() && src.DataOrder().IsRowMajor() {
		switch d := dst.Data().(type) {
		case []float64:
			copy(d, src.Data().([]float64))
			return nil
		case []float32:
			copy(d, src.Data().([]float32))
			return nil
		}
	}
	return tensor.Copy(dst, src)
}
