package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// symgrad's concatenation and its gradient, with preallocated outputs so
// that the planned executor runs them without allocating (Gorgonia's
// Concat and the slices of its gradient allocate on every call).
//
// Along axis a, a contiguous row-major tensor of shape s is outer(s) =
// s[0]·…·s[a-1] blocks of inner(s) = s[a]·…·s[n-1] values; concatenation
// copies the blocks of each piece in turn into the output's blocks.

// concatOp joins its inputs along axis: out = [x1, x2, ...] on axis.
// Gradient: piece i of g (a copying slice, alongOp) for each input.
type concatOp struct {
	opBase
	axis   int
	shapes []tensor.Shape // the inputs'
	out    tensor.Shape
}

var (
	_ G.SDOp            = (*concatOp)(nil)
	_ G.UsePreallocDoer = (*concatOp)(nil)
)

func newConcatOp(axis int, xs []*G.Node) *concatOp {
	op := &concatOp{axis: axis, out: xs[0].Shape().Clone()}
	op.out[axis] = 0
	for _, x := range xs {
		op.shapes = append(op.shapes, x.Shape().Clone())
		op.out[axis] += x.Shape()[axis]
	}
	return op
}

// outer is the number of blocks of a shape along axis (the product of the
// dimensions before it).
func outer(s tensor.Shape, axis int) int {
	n := 1
	for _, d := range s[:axis] {
		n *= d
	}
	return n
}

func (op *concatOp) Arity() int { return len(op.shapes) }
func (op *concatOp) Type() hm.Type {
	t := G.TensorType{Dims: len(op.out), Of: hm.TypeVariable('a')}
	ts := make([]hm.Type, len(op.shapes)+1)
	for i := range ts {
		ts[i] = t
	}
	return hm.NewFnType(ts...)
}
func (op *concatOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.out.Clone(), nil }
func (op *concatOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) == 0 {
		return nil, errors.Errorf("%v: no inputs", op)
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(op.out...)), vs...)
}

// UsePreallocDo copies the inputs' blocks into prealloc.
func (op *concatOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != len(op.shapes) {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, len(op.shapes), len(vs))
	}
	y, err := denseOfDims(prealloc, vs[0].Dtype())
	if err != nil || !equalDims(y.Shape(), op.out) {
		return nil, errors.Errorf("%v: output is %v, want %v (%v)", op, prealloc.Shape(), op.out, err)
	}
	blocks, yInner := outer(op.out, op.axis), op.out.TotalSize()/max(outer(op.out, op.axis), 1)
	off := 0
	for i, v := range vs {
		x, err := denseOfDims(v, y.Dtype())
		if err != nil || !equalDims(x.Shape(), op.shapes[i]) {
			return nil, errors.Errorf("%v: input %d is %v, want %v (%v)", op, i, v.Shape(), op.shapes[i], err)
		}
		inner := op.shapes[i].TotalSize() / max(blocks, 1)
		if y.Dtype() == tensor.Float64 {
			copyBlocks(y.Float64s(), x.Float64s(), blocks, yInner, inner, off, false)
		} else {
			copyBlocks(y.Float32s(), x.Float32s(), blocks, yInner, inner, off, false)
		}
		off += inner
	}
	return prealloc, nil
}

// copyBlocks copies, for each of blocks blocks, the inner values of small
// into big's block (bigInner values) at offset off; or back (fromBig).
func copyBlocks[T float32 | float64](big, small []T, blocks, bigInner, inner, off int, fromBig bool) {
	for b := range blocks {
		bs, ss := big[b*bigInner+off:b*bigInner+off+inner], small[b*inner:(b+1)*inner]
		if fromBig {
			copy(ss, bs)
		} else {
			copy(bs, ss)
		}
	}
}

func (op *concatOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "symgrad.concat(axis=%d,%v)", op.axis, op.shapes)
}
func (op *concatOp) Hashcode() uint32 { return hashOf(op) }

// Identity is KindConcat.
func (op *concatOp) Identity() Identity { return Identity{Kind: KindConcat, Axis: op.axis} }

// String is Gorgonia's concat's, which compiler/expr formats as concat(...).
func (op *concatOp) String() string       { return fmt.Sprintf("Concat(axis=%d)", op.axis) }
func (op *concatOp) DiffWRT(n int) []bool { return allTrue(n) }

// SymDiff slices g back into the pieces: dL/dx_i = g[..., o_i:o_i+n_i, ...].
func (op *concatOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	out, err := ConcatPieces(grad, op.axis, in)
	return out, errors.Wrapf(err, "gradient of %v", op)
}

// ConcatPieces is the gradient of a concatenation of in along axis: the
// pieces of its upstream gradient grad, each a copy (alongOp) in its
// input's place. The compiler differentiates Gorgonia's Concat with it:
// Gorgonia's own SymDiff cuts grad with its sliceOp, whose bounds hash
// modulo 256, so in a concatenation past 256 columns two pieces can merge
// into one node and an input receive another's gradient
// (TestGorgoniaConcatGradientPast256).
func ConcatPieces(grad *G.Node, axis int, in G.Nodes) (G.Nodes, error) {
	out := make(G.Nodes, len(in))
	start := 0
	for i, x := range in {
		if x.Dims() <= axis || x.Dims() != grad.Dims() {
			return nil, errors.Errorf("concat gradient: piece %d %v does not fit the gradient %v along %d", i, x.Shape(), grad.Shape(), axis)
		}
		end := start + x.Shape()[axis]
		var err error
		if out[i], err = Apply(newAlongOp(false, axis, start, end, grad.Shape()), grad); err != nil {
			return nil, errors.Wrapf(err, "concat gradient, piece %d", i)
		}
		start = end
	}
	return out, nil
}

// alongOp copies x[..., start:end, ...] on axis out of a tensor of shape
// full (pad false), or places its input there in a zero tensor of shape
// full (pad true). The two are each other's adjoint and gradient.
type alongOp struct {
	unaryBase
	pad              bool
	axis, start, end int
	full, part       tensor.Shape // part: the slice's shape
}

func newAlongOp(pad bool, axis, start, end int, full tensor.Shape) *alongOp {
	part := full.Clone()
	part[axis] = end - start
	return &alongOp{pad: pad, axis: axis, start: start, end: end, full: full.Clone(), part: part}
}

var (
	_ G.SDOp            = (*alongOp)(nil)
	_ G.UsePreallocDoer = (*alongOp)(nil)
)

// shapes returns the input's and the output's shapes (not copies).
func (op *alongOp) shapes() (in, out tensor.Shape) {
	if op.pad {
		return op.part, op.full
	}
	return op.full, op.part
}

func (op *alongOp) Type() hm.Type {
	t := G.TensorType{Dims: len(op.full), Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t)
}
func (op *alongOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	_, out := op.shapes()
	return out.Clone(), nil
}
func (op *alongOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	_, out := op.shapes()
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(out...)), vs...)
}

// UsePreallocDo writes the slice (or the zero-padded input) into prealloc.
func (op *alongOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	inShape, outShape := op.shapes()
	x, err := denseOfDims(vs[0], vs[0].Dtype())
	if err != nil || !equalDims(x.Shape(), inShape) {
		return nil, errors.Errorf("%v: input is %v, want %v (%v)", op, vs[0].Shape(), inShape, err)
	}
	y, err := denseOfDims(prealloc, x.Dtype())
	if err != nil || !equalDims(y.Shape(), outShape) {
		return nil, errors.Errorf("%v: output is %v, want %v (%v)", op, prealloc.Shape(), outShape, err)
	}
	big, small := x, y
	if op.pad {
		big, small = y, x
	}
	blocks := outer(op.full, op.axis)
	bigInner := op.full.TotalSize() / max(blocks, 1)
	inner := bigInner / op.full[op.axis] * (op.end - op.start)
	off := bigInner / op.full[op.axis] * op.start
	if big.Dtype() == tensor.Float64 {
		alongKernel(big.Float64s(), small.Float64s(), blocks, bigInner, inner, off, op.pad)
	} else {
		alongKernel(big.Float32s(), small.Float32s(), blocks, bigInner, inner, off, op.pad)
	}
	return prealloc, nil
}

// alongKernel slices (pad false) or zero-pads (pad true) along blocks.
func alongKernel[T float32 | float64](big, small []T, blocks, bigInner, inner, off int, pad bool) {
	if pad {
		clear(big)
	}
	copyBlocks(big, small, blocks, bigInner, inner, off, !pad)
}

func (op *alongOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *alongOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindConcatSlice is the kind of the slice of one piece out of a concatenation (along Identity.Axis).
	KindConcatSlice = NewKind("concatslice")
	// KindConcatPad is the kind of one piece padded with zeros to the concatenation's shape (along Identity.Axis).
	KindConcatPad = NewKind("concatpad")
)

// Identity is KindConcatPad or KindConcatSlice.
func (op *alongOp) Identity() Identity {
	return Identity{Kind: choose(op.pad, KindConcatPad, KindConcatSlice), Axis: op.axis}
}

func (op *alongOp) String() string {
	name := "concatslice"
	if op.pad {
		name = "concatpad"
	}
	return fmt.Sprintf("%s(axis=%d,[%d:%d],%v)", name, op.axis, op.start, op.end, []int(op.full))
}

// SymDiff: the gradient of a slice is g padded back into place, that of a
// pad is g's slice.
func (op *alongOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	return applyAdjoint(op, newAlongOp(!op.pad, op.axis, op.start, op.end, op.full), grad)
}
