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

// Linear is PyTorch's linear map y = x·Wᵀ + b for x [B, in], W [out, in]
// (PyTorch's layout) and b [out], as one op: b is copied into every row
// of y and x·Wᵀ is added by one BLAS gemm with W's transpose flag (no
// transposed copy of W, no broadcast node).
//
// Gradient, with G = dL/dy [B, out]: dx = G·W (Gemm), dW = Gᵀ·x (Gemm),
// db = Σ_rows G (ColSum). Its equivalent in primitives is
// gemm(x, W, 0, 1) + broadcastrows(b, B); the registry check compares its
// gradient with central differences.
func Linear(x, w, b *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "linear")
	for _, n := range []*G.Node{x, w, b} {
		if err := checkFloatNode("linear", n); err != nil {
			return nil, err
		}
		if n.Dtype() != x.Dtype() {
			return nil, errors.Errorf("linear: dtypes differ: %s is %v, %s is %v", x.Name(), x.Dtype(), n.Name(), n.Dtype())
		}
	}
	if _, err := linearShape(x.Shape(), w.Shape(), b.Shape()); err != nil {
		return nil, err
	}
	out, err = Apply(linearOp{}, x, w, b)
	return out, errors.Wrapf(err, "linear of %s %v, %s %v, %s %v", x.Name(), x.Shape(), w.Name(), w.Shape(), b.Name(), b.Shape())
}

// linearShape checks x [B, in], W [out, in], b [out] and returns [B, out].
func linearShape(x, w, b tensor.Shape) (tensor.Shape, error) {
	if len(x) != 2 || len(w) != 2 || len(b) != 1 || x[1] != w[1] || b[0] != w[0] {
		return nil, errors.Errorf("linear: shapes x %v, W %v, b %v; want [B, in], [out, in], [out]", x, w, b)
	}
	return tensor.Shape{x[0], w[0]}, nil
}

// linearOp is y = x·Wᵀ + b.
type linearOp struct {
	opBase
}

var (
	_ G.SDOp            = linearOp{}
	_ G.UsePreallocDoer = linearOp{}
)

func (linearOp) Arity() int { return 3 }
func (linearOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, G.TensorType{Dims: 1, Of: a}, m)
}
func (linearOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 3 {
		return nil, errors.Errorf("linear: expected 3 inputs, got %d", len(in))
	}
	x, ok1 := in[0].(tensor.Shape)
	w, ok2 := in[1].(tensor.Shape)
	b, ok3 := in[2].(tensor.Shape)
	if !ok1 || !ok2 || !ok3 {
		return nil, errors.New("linear: expected shapes")
	}
	return linearShape(x, w, b)
}
func (op linearOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 3 {
		return nil, errors.Errorf("linear: expected 3 inputs, got %d", len(vs))
	}
	s, err := linearShape(vs[0].Shape(), vs[1].Shape(), vs[2].Shape())
	if err != nil {
		return nil, err
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(s...)), vs...)
}

// UsePreallocDo writes y into prealloc: the bias rows, then x·Wᵀ added by
// gemm with β = 1.
func (linearOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 3 {
		return nil, errors.Errorf("linear: expected 3 inputs, got %d", len(vs))
	}
	x, w, y, err := matrices("linear", vs[0], vs[1], prealloc)
	if err != nil {
		return nil, err
	}
	bt, ok := vs[2].(tensor.Tensor)
	if !ok {
		return nil, errors.Errorf("linear: bias is a %T", vs[2])
	}
	b, err := contiguous(bt)
	if err != nil || b.Dtype() != x.Dtype() {
		return nil, errors.Errorf("linear: bias %v %v does not fit x's dtype %v (%v)", b.Shape(), b.Dtype(), x.Dtype(), err)
	}
	xs, ws, bs, ys := x.Shape(), w.Shape(), b.Shape(), y.Shape() // no copies: the values' own shapes
	if len(xs) != 2 || len(ws) != 2 || len(bs) != 1 || len(ys) != 2 ||
		xs[1] != ws[1] || bs[0] != ws[0] || ys[0] != xs[0] || ys[1] != ws[0] {
		return nil, errors.Errorf("linear: shapes x %v, W %v, b %v, y %v; want [B, in], [out, in], [out], [B, out]", xs, ws, bs, ys)
	}
	fillRows(y, b)
	gemm(false, true, xs[0], ws[0], xs[1], x, w, 1, y)
	return prealloc, nil
}

// fillRows copies the vector b into every row of the matrix y.
func fillRows(y, b *tensor.Dense) {
	if y.Dtype() == tensor.Float64 {
		repeatRows(y.Float64s(), b.Float64s())
	} else {
		repeatRows(y.Float32s(), b.Float32s())
	}
}

func repeatRows[T float32 | float64](y, b []T) {
	for i := 0; i+len(b) <= len(y); i += len(b) {
		copy(y[i:i+len(b)], b)
	}
}

func (linearOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "symgrad.linear") }
func (op linearOp) Hashcode() uint32   { return hashOf(op) }

var (
	// KindLinear is the kind of the fused Linear, x·Wᵀ + b.
	KindLinear = NewKind("linear")
)

// Identity is KindLinear.
func (op linearOp) Identity() Identity { return Identity{Kind: KindLinear} }

func (linearOp) String() string     { return "linear(x·Wᵀ+b)" }
func (linearOp) DiffWRT(int) []bool { return []bool{true, true, true} }

// SymDiff is dx = G·W, dW = Gᵀ·x, db = Σ_rows G.
func (linearOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	x, w := in[0], in[1]
	dx, err := Gemm(g, w, false, false)
	if err != nil {
		return nil, errors.Wrap(err, "gradient of linear: dx")
	}
	dw, err := Gemm(g, x, true, false)
	if err != nil {
		return nil, errors.Wrap(err, "gradient of linear: dW")
	}
	db, err := ColSum(g)
	return G.Nodes{dx, dw, db}, errors.Wrap(err, "gradient of linear: db")
}

func init() {
	Register(&Spec{Name: "linear", Family: "fused",
		Reference: refLinear, ReferenceOf: "x·Wᵀ + b: Gorgonia's Transpose, Mul and BroadcastAdd", Forward: "linear(x, W, b) = x·Wᵀ + b (x [B,in], W [out,in], b [out])",
		Gradient: "dx = G·W, dW = Gᵀ·x, db = Σ_rows G",
		Notes:    "symgrad op: one BLAS gemm with W's transpose flag (PyTorch's layout, no transposed copy) on rows prefilled with b; equivalent to gemm(x, W, 0, 1) + broadcastrows(b, B).",
		Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return Linear(n[0], n[1], n[2]) },
		MinNodes: 3, MaxNodes: 3,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{4, 3}, Domain: Real},
			{Name: "w", Shape: []int{2, 3}, Domain: Real}, {Name: "b", Shape: []int{2}, Domain: Real}}},
		Dtypes: floats, TwiceDifferentiable: true})
}

// refLinear is linear as x·Wᵀ + b: Gorgonia's Transpose, Mul and
// BroadcastAdd.
func refLinear(n []*G.Node, _ []float64) (*G.Node, error) {
	wt, err := G.Transpose(n[1])
	if err != nil {
		return nil, err
	}
	xw, err := G.Mul(n[0], wt)
	if err != nil {
		return nil, err
	}
	return G.BroadcastAdd(xw, n[2], nil, []byte{0})
}
