package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops/kernels"
)

// The broadcasting rule shared by the arithmetic and the selection ops
// (arith.go) and the expression language (compiler/expr), which calls
// these functions rather than keeping a copy.
//
// The numpy (and PyTorch) rule: shapes are aligned at their trailing axis,
// a missing axis counts as size 1, and on each axis the two sizes must be
// equal or one of them 1; the result takes the larger. A scalar (0-d)
// broadcasts to any shape. [4,2] with [2] -> [4,2]; [4,1] with [1,3] ->
// [4,3]; [2,3,4] with [3,1] -> [2,3,4]; [4,2] with [3] is an error.

// MaxBroadcastAxes is the rank limit of Gorgonia's BroadcastPattern, which
// the arithmetic uses: broadcasting results of higher rank are an error
// (equal shapes of any rank are fine).
const MaxBroadcastAxes = 4

// BroadcastShapes applies the broadcasting rule to shapes xs and ys. It
// returns the result shape and the axes (of the result) along which x and y
// are repeated; an error names the first axis whose sizes clash.
func BroadcastShapes(xs, ys []int) (out []int, xAxes, yAxes []byte, err error) {
	r := max(len(xs), len(ys))
	out = make([]int, r)
	for i := range r {
		dx, dy := dimFromEnd(xs, r-1-i), dimFromEnd(ys, r-1-i)
		switch {
		case dx == dy:
			out[i] = dx
		case dx == 1:
			out[i] = dy
			xAxes = append(xAxes, byte(i))
		case dy == 1:
			out[i] = dx
			yAxes = append(yAxes, byte(i))
		default:
			return nil, nil, nil, fmt.Errorf("axis %d: size %d against %d", i, dx, dy)
		}
	}
	return out, xAxes, yAxes, nil
}

// dimFromEnd returns the size of the k-th axis from the end of s, 1 when s
// has fewer axes.
func dimFromEnd(s []int, k int) int {
	if k >= len(s) {
		return 1
	}
	return s[len(s)-1-k]
}

// LiftShape is s with leading 1-axes added up to rank r (s itself when it
// already has rank r or more).
func LiftShape(s []int, r int) tensor.Shape {
	if len(s) >= r {
		return tensor.Shape(s).Clone()
	}
	to := make(tensor.Shape, r)
	for i := range to {
		to[i] = dimFromEnd(s, r-1-i)
	}
	return to
}

// broadcastIndex maps every flat index of shape `to` to the flat index of
// the element of shape from (broadcastable to `to`) that it repeats.
func broadcastIndex(from, to tensor.Shape) []int {
	s := LiftShape(from, len(to))
	stride := make([]int, len(s))
	acc := 1
	for d := len(s) - 1; d >= 0; d-- {
		if s[d] != 1 {
			stride[d] = acc
		}
		acc *= s[d]
	}
	n := to.TotalSize()
	out := make([]int, n)
	coord := make([]int, len(to))
	for i := 0; i < n; i++ {
		j := 0
		for d, c := range coord {
			j += c * stride[d]
		}
		out[i] = j
		for d := len(coord) - 1; d >= 0; d-- { // next coordinate, row-major
			if coord[d]++; coord[d] < to[d] {
				break
			}
			coord[d] = 0
		}
	}
	return out
}

// broadcastTo repeats x up to shape to (x's shape broadcastable to it);
// x itself when it already has that shape.
func broadcastTo(x *G.Node, to tensor.Shape) (*G.Node, error) {
	if x.Shape().Eq(to) && x.Dims() == len(to) {
		return x, nil
	}
	out, err := Apply(&broadcastToOp{from: x.Shape().Clone(), to: to.Clone()}, x)
	return out, errors.Wrapf(err, "broadcasting %s %v to %v", x.Name(), x.Shape(), to)
}

// broadcastToOp is the broadcast of x (shape from) to shape to,
// out[i] = x[index(i)] at any rank, or (sum) its adjoint, which sums g
// (shape from) onto shape to: out[j] = Σ_{i: index(i) = j} g[i]. Each is
// the other's gradient, so both are differentiable any number of times.
type broadcastToOp struct {
	unaryBase
	from, to tensor.Shape
	sum      bool
}

func (op *broadcastToOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(typeOfDims(op.from.Dims(), a), typeOfDims(op.to.Dims(), a))
}
func (op *broadcastToOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.to.Clone(), nil }
func (op *broadcastToOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	res := choose(op.sum, sumTo, repeatTo)(x, op.from, op.to)
	return valueOf(res, op.to, dtypeOf(vs[0]))
}

// repeatTo is x (shape from) broadcast to shape to.
func repeatTo(x []float64, from, to tensor.Shape) []float64 {
	idx := broadcastIndex(from, to)
	res := make([]float64, len(idx))
	for i, j := range idx {
		res[i] = x[j]
	}
	return res
}

// sumTo is g (shape from) summed onto shape to.
func sumTo(g []float64, from, to tensor.Shape) []float64 {
	res := make([]float64, max(to.TotalSize(), 1))
	for i, j := range broadcastIndex(to, from) {
		res[j] += g[i]
	}
	return res
}

func (op *broadcastToOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *broadcastToOp) Hashcode() uint32      { return hashOf(op) }
func (op *broadcastToOp) String() string {
	return fmt.Sprintf("%s%v->%v", choose(op.sum, "sumto", "broadcast"), op.from, op.to)
}

// SymDiff is the other broadcastToOp applied to g: dx = sumTo(g, shape of
// x) for the broadcast, dg = broadcast(g', shape from) for the sum.
func (op *broadcastToOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	d, err := Apply(&broadcastToOp{from: op.to, to: op.from, sum: !op.sum}, g)
	return G.Nodes{d}, err
}

// reshapeTo reshapes x to shape to with the copying reshape op (x itself
// when it already has that shape).
func reshapeTo(x *G.Node, to tensor.Shape) (*G.Node, error) {
	if to.Eq(x.Shape()) && len(to) == x.Dims() {
		return x, nil
	}
	out, err := Apply(&reshapeOp{from: x.Shape().Clone(), to: to.Clone()}, x)
	return out, errors.Wrapf(err, "reshape of %s %v to %v", x.Name(), x.Shape(), to)
}

// KindBroadcastTo is the kind of the broadcasting repeat.
var KindBroadcastTo = NewKind("broadcastto")

// KindSumTo is the kind of the broadcasting repeat's gradient.
var KindSumTo = NewKind("sumto")

// Identity is KindSumTo or KindBroadcastTo.
func (op *broadcastToOp) Identity() Identity {
	return Identity{Kind: choose(op.sum, KindSumTo, KindBroadcastTo)}
}

// expand repeats x (of shape `to` without `axis`) along axis to shape to.
func expand(x *G.Node, axis int, to tensor.Shape) (*G.Node, error) {
	out, err := Apply(&expandOp{axis: axis, to: to.Clone()}, x)
	return out, errors.Wrapf(err, "expanding %s %v along %d to %v", x.Name(), x.Shape(), axis, to)
}

// expandOp is the broadcast out[o, k, i] = x[o, i] along one axis. Its
// gradient is Σ_axis g, Gorgonia's Sum (checked by the sum registry entry).
//
// symgrad uses it instead of Gorgonia's Broadcast* ops, which allow at most
// 4 axes and build a Reshape (an aliasing view) and a chain of Repeats.
type expandOp struct {
	unaryBase
	axis int
	to   tensor.Shape
}

func (op *expandOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(typeOfDims(op.to.Dims()-1, a), typeOfDims(op.to.Dims(), a))
}
func (op *expandOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.to.Clone(), nil }
func (op *expandOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	outer, n, inner := kernels.AxisLayout(op.to, op.axis)
	res := make([]float64, outer*n*inner)
	for o := 0; o < outer; o++ {
		for k := 0; k < n; k++ {
			copy(res[(o*n+k)*inner:(o*n+k+1)*inner], x[o*inner:(o+1)*inner])
		}
	}
	return valueOf(res, op.to, dtypeOf(vs[0]))
}
func (op *expandOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *expandOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindExpand is the kind of the broadcast expand along Identity.Axis.
	KindExpand = NewKind("expand")
)

// Identity is KindExpand.
func (op *expandOp) Identity() Identity { return Identity{Kind: KindExpand, Axis: op.axis} }

func (op *expandOp) String() string { return fmt.Sprintf("expand(axis=%d to %v)", op.axis, op.to) }

// SymDiff is dL/dx = Σ_axis g.
func (op *expandOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	s, err := G.Sum(g, op.axis)
	return G.Nodes{s}, err
}

// float64sOf returns a value's elements as float64 (a copy for float32).
func float64sOf(v G.Value) ([]float64, error) {
	switch x := v.(type) {
	case *G.F64:
		return []float64{float64(*x)}, nil
	case *G.F32:
		return []float64{float64(*x)}, nil
	case tensor.Tensor:
		d, err := dense(x)
		if err != nil {
			return nil, err
		}
		switch d.Dtype() {
		case tensor.Float64:
			return d.Float64s(), nil
		case tensor.Float32:
			f := d.Float32s()
			out := make([]float64, len(f))
			for i, e := range f {
				out[i] = float64(e)
			}
			return out, nil
		}
		return nil, errors.Errorf("unsupported dtype %v", d.Dtype())
	}
	return nil, errors.Errorf("unsupported value %T", v)
}

// dtypeOf is a value's dtype.
func dtypeOf(v G.Value) tensor.Dtype { return v.Dtype() }

// valueOf builds a value of dtype dt from float64 data: a scalar for an
// empty shape, else a dense tensor.
func valueOf(data []float64, shape tensor.Shape, dt tensor.Dtype) (G.Value, error) {
	if len(shape) == 0 {
		if dt == tensor.Float32 {
			return G.NewF32(float32(data[0])), nil
		}
		return G.NewF64(data[0]), nil
	}
	switch dt {
	case tensor.Float64:
		return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(data)), nil
	case tensor.Float32:
		f := make([]float32, len(data))
		for i, e := range data {
			f[i] = float32(e)
		}
		return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(f)), nil
	}
	return nil, errors.Errorf("unsupported dtype %v", dt)
}

// Expand's preallocated output (the broadcasts of attention and layer
// norms), so that the planned executor runs it without allocating. It
// computes what Do computes, in the same order and precision (compiler
// checks the two bit for bit on the first run).

var _ G.UsePreallocDoer = (*expandOp)(nil)

// UsePreallocDo writes x repeated along the op's axis into prealloc.
func (op *expandOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	x, y, _, err := preallocOperands(op, "expand", 1, vs, prealloc)
	if err != nil {
		return nil, err
	}
	outer, n, inner := kernels.AxisLayout(op.to, op.axis)
	if x.DataSize() != outer*inner || y.DataSize() != outer*n*inner {
		return nil, errors.Errorf("%v: input %v, output %v", op, x.Shape(), y.Shape())
	}
	if x.Dtype() == tensor.Float64 {
		expandInto(floatsOrNil[float64](y), floatsOrNil[float64](x), outer, n, inner)
	} else {
		expandInto(floatsOrNil[float32](y), floatsOrNil[float32](x), outer, n, inner)
	}
	return prealloc, nil
}

// expandInto is y[o, k, i] = x[o, i].
func expandInto[T kernels.Float](y, x []T, outer, n, inner int) {
	if inner == 1 { // along the last axis (softmax's): fill each row
		for o, v := range x[:outer] {
			row := y[o*n : (o+1)*n]
			for k := range row {
				row[k] = v
			}
		}
		return
	}
	for o := 0; o < outer; o++ {
		for k := 0; k < n; k++ {
			copy(y[(o*n+k)*inner:(o*n+k+1)*inner], x[o*inner:(o+1)*inner])
		}
	}
}

// ColSum is the column sum of a matrix x [B, N]: y_j = Σ_i x_ij, [N]
// (the bias gradient of Linear).
//
// Gradient: dx = BroadcastRows(g, B), g copied into every row.
func ColSum(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "colsum")
	if err := checkFloatNode("colsum", x); err != nil {
		return nil, err
	}
	if x.Dims() != 2 {
		return nil, errors.Errorf("colsum: %s has shape %v, want a matrix", x.Name(), x.Shape())
	}
	out, err = Apply(&rowsOp{sum: true, rows: x.Shape()[0]}, x)
	return out, errors.Wrapf(err, "colsum of %s %v", x.Name(), x.Shape())
}

// BroadcastRows repeats the vector v [N] as the rows of a [rows, N] matrix.
//
// Gradient: dv = ColSum(g).
func BroadcastRows(v *G.Node, rows int) (out *G.Node, err error) {
	defer panics.Recover(&err, "broadcastrows")
	if err := checkFloatNode("broadcastrows", v); err != nil {
		return nil, err
	}
	if v.Dims() != 1 || rows <= 0 {
		return nil, errors.Errorf("broadcastrows: %s has shape %v (rows %d), want a vector and rows > 0", v.Name(), v.Shape(), rows)
	}
	out, err = Apply(&rowsOp{rows: rows}, v)
	return out, errors.Wrapf(err, "broadcastrows of %s %v", v.Name(), v.Shape())
}

// rowsOp is ColSum ([rows, N] -> [N]) when sum, else BroadcastRows
// ([N] -> [rows, N]); each is the other's gradient.
type rowsOp struct {
	unaryBase
	sum  bool
	rows int
}

var (
	_ G.SDOp            = (*rowsOp)(nil)
	_ G.UsePreallocDoer = (*rowsOp)(nil)
)

func (op *rowsOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return fnType(!op.sum, G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a})
}
func (op *rowsOp) outShape(in tensor.Shape) (tensor.Shape, error) {
	switch {
	case op.sum && len(in) == 2 && in[0] == op.rows:
		return tensor.Shape{in[1]}, nil
	case !op.sum && len(in) == 1:
		return tensor.Shape{op.rows, in[0]}, nil
	}
	return nil, errors.Errorf("%v: input shape %v does not fit", op, in)
}
func (op *rowsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return inferUnary(op, in)
}
func (op *rowsOp) Do(vs ...G.Value) (G.Value, error) { return doUnary(op, vs) }
func (op *rowsOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	x, y, _, err := preallocOperands(op, "colsum/broadcastrows", 1, vs, prealloc)
	if err != nil {
		return nil, err
	}
	xs, ys := x.Shape(), y.Shape() // no copies: the values' own shapes
	sum, bcast := op.sum && len(xs) == 2 && len(ys) == 1 && xs[0] == op.rows && xs[1] == ys[0],
		!op.sum && len(xs) == 1 && len(ys) == 2 && ys[0] == op.rows && ys[1] == xs[0]
	if !sum && !bcast {
		return nil, errors.Errorf("%v: input shape %v, output shape %v", op, xs, ys)
	}
	if y.Dtype() == tensor.Float64 {
		rowsKernel(op.sum, x.Float64s(), y.Float64s())
	} else {
		rowsKernel(op.sum, x.Float32s(), y.Float32s())
	}
	return prealloc, nil
}

// rowsKernel sums the rows of x into y (sum) or copies x into y's rows.
func rowsKernel[T float32 | float64](sum bool, x, y []T) {
	if !sum {
		repeatRows(y, x)
		return
	}
	n := len(y)
	copy(y, x[:n])
	for i := n; i+n <= len(x); i += n {
		row := x[i : i+n]
		for j := range y {
			y[j] += row[j]
		}
	}
}

func (op *rowsOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *rowsOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindBroadcastRows is the kind of BroadcastRows.
	KindBroadcastRows = NewKind("broadcastrows")
	// KindColSum is the kind of ColSum.
	KindColSum = NewKind("colsum")
)

// Identity is KindColSum or KindBroadcastRows.
func (op *rowsOp) Identity() Identity {
	return Identity{Kind: choose(op.sum, KindColSum, KindBroadcastRows)}
}

func (op *rowsOp) String() string {
	return fmt.Sprintf("%s(rows=%d)", choose(op.sum, "colsum", "broadcastrows"), op.rows)
}

// SymDiff is the other rowsOp applied to g.
func (op *rowsOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	return applyAdjoint(op, &rowsOp{sum: !op.sum, rows: op.rows}, g)
}

func init() {
	Register(&Spec{Name: "colsum", Family: "fused",
		Reference: refColSum, ReferenceOf: "Gorgonia's Sum along axis 0", Forward: "colsum(x)_j = Σ_i x_ij (x [B,N] -> [N])",
		Gradient: "dx = broadcastrows(g, B)", Notes: "symgrad op: Linear's bias gradient, written into a preallocated buffer.",
		Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return ColSum(n[0]) },
		MinNodes: 1, MaxNodes: 1,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{4, 3}, Domain: Real}}},
		Dtypes:  floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "broadcastrows", Family: "fused", Forward: "broadcastrows(v, B)_ij = v_j (v [N] -> [B,N])",
		Gradient: "dv = colsum(g)", Notes: "symgrad op: the bias broadcast of Linear's primitive equivalent; the adjoint of colsum.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			rows := 3
			if len(p) > 0 {
				rows = int(p[0])
			}
			return BroadcastRows(n[0], rows)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 1,
		Example: Example{Inputs: []Input{{Name: "v", Shape: []int{4}, Domain: Real}}, Params: []float64{3}},
		Dtypes:  floats, TwiceDifferentiable: true})
}

// refColSum is colsum as Gorgonia's Sum along axis 0.
func refColSum(n []*G.Node, _ []float64) (*G.Node, error) { return G.Sum(n[0], 0) }
