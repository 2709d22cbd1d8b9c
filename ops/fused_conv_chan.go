package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
)

// ChannelSum sums x [N, C, ...] over every axis but the channel axis 1:
// y_c = Σ_{n,k} x[n, c, k], [C] (the bias gradient of FusedConv2D). For each
// sample the channel's elements are summed first, then the samples in order.
//
// Gradient: dx = ChannelBroadcast(g, shape of x).
func ChannelSum(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "channelsum")
	if err := checkFloatNode("channelsum", x); err != nil {
		return nil, err
	}
	if x.Dims() < 2 {
		return nil, errors.Errorf("channelsum: %s has shape %v, want [N, C, ...]", x.Name(), x.Shape())
	}
	out, err = Apply(&chanOp{sum: true, shape: x.Shape().Clone()}, x)
	return out, errors.Wrapf(err, "channelsum of %s %v", x.Name(), x.Shape())
}

// ChannelBroadcast copies v [C] into every channel of a tensor of the given
// shape [N, C, ...]: y[n, c, k] = v_c.
//
// Gradient: dv = ChannelSum(g).
func ChannelBroadcast(v *G.Node, shape tensor.Shape) (out *G.Node, err error) {
	defer panics.Recover(&err, "channelbroadcast")
	if err := checkFloatNode("channelbroadcast", v); err != nil {
		return nil, err
	}
	if v.Dims() != 1 || len(shape) < 2 || shape[1] != v.Shape()[0] || shape.TotalSize() <= 0 {
		return nil, errors.Errorf("channelbroadcast: %s %v does not fit shape %v", v.Name(), v.Shape(), shape)
	}
	out, err = Apply(&chanOp{shape: shape.Clone()}, v)
	return out, errors.Wrapf(err, "channelbroadcast of %s %v to %v", v.Name(), v.Shape(), shape)
}

// chanOp is ChannelSum (shape -> [C]) when sum, else ChannelBroadcast
// ([C] -> shape); each is the other's gradient.
type chanOp struct {
	unaryBase
	sum   bool
	shape tensor.Shape // the [N, C, ...] side
}

var (
	_ G.SDOp            = (*chanOp)(nil)
	_ G.UsePreallocDoer = (*chanOp)(nil)
)

func (op *chanOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return fnType(!op.sum, typeOfDims(len(op.shape), a), G.TensorType{Dims: 1, Of: a})
}
func (op *chanOp) io() (in, out tensor.Shape) {
	if op.sum {
		return op.shape, tensor.Shape{op.shape[1]}
	}
	return tensor.Shape{op.shape[1]}, op.shape
}
func (op *chanOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	_, out := op.io()
	return out.Clone(), nil
}
func (op *chanOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	_, out := op.io()
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(out.Clone()...)), vs...)
}
func (op *chanOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	x, y, _, err := matrices("channelsum/channelbroadcast", vs[0], prealloc)
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	in, out := op.io()
	if !equalDims(x.Shape(), in) || !equalDims(y.Shape(), out) {
		return nil, errors.Errorf("%v: input shape %v, output shape %v", op, x.Shape(), y.Shape())
	}
	n, c := op.shape[0], op.shape[1]
	k := op.shape.TotalSize() / (n * c)
	if y.Dtype() == tensor.Float64 {
		chanKernel(op.sum, x.Float64s(), y.Float64s(), n, c, k)
	} else {
		chanKernel(op.sum, x.Float32s(), y.Float32s(), n, c, k)
	}
	return prealloc, nil
}

// chanKernel sums big [n, c, k] into v [c] (sum), or copies v into big.
func chanKernel[T float32 | float64](sum bool, x, y []T, n, c, k int) {
	if !sum {
		for i := 0; i < n*c; i++ {
			fill(y[i*k:(i+1)*k], x[i%c])
		}
		return
	}
	clear(y)
	for i := 0; i < n*c; i++ {
		var s T
		for _, e := range x[i*k : (i+1)*k] {
			s += e
		}
		y[i%c] += s
	}
}

func (op *chanOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *chanOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindChannelSum is the kind of ChannelSum.
	KindChannelSum = NewKind("channelsum")
	// KindChannelBroadcast is the kind of ChannelBroadcast.
	KindChannelBroadcast = NewKind("channelbroadcast")
)

// Identity is KindChannelSum or KindChannelBroadcast.
func (op *chanOp) Identity() Identity {
	return Identity{Kind: choose(op.sum, KindChannelSum, KindChannelBroadcast)}
}

func (op *chanOp) String() string {
	return fmt.Sprintf("%s(%v)", choose(op.sum, "channelsum", "channelbroadcast"), op.shape)
}

// SymDiff is the other chanOp applied to g.
func (op *chanOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	return applyAdjoint(op, &chanOp{sum: !op.sum, shape: op.shape.Clone()}, g)
}
