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
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	x, y, _, err := matrices("colsum/broadcastrows", vs[0], prealloc)
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
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
