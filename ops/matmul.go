package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	gblas "gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/blas"
	"github.com/symgrad/symgrad/internal/panics"
)

// Gemm is the matrix product C = op(A)·op(B), where op(X) is X or Xᵀ as
// transA and transB say. The transposes are BLAS flags: no transposed copy
// is ever made.
//
// Gradient, with G = dL/dC: for C = A·B, dA = G·Bᵀ and dB = Aᵀ·G; the
// transposed cases follow from (op(X))ᵀ, e.g. C = A·Bᵀ has dA = G·B and
// dB = Gᵀ·A. Each gradient is itself a Gemm, so Gemm is differentiable
// any number of times.
func Gemm(a, b *G.Node, transA, transB bool) (out *G.Node, err error) {
	defer panics.Recover(&err, "gemm")
	op := &gemmOp{transA: transA, transB: transB}
	for _, x := range []*G.Node{a, b} {
		if err := checkFloatNode(op.String(), x); err != nil {
			return nil, err
		}
		if x.Dims() != 2 {
			return nil, errors.Errorf("%v: %s has shape %v, want a matrix", op, x.Name(), x.Shape())
		}
	}
	if a.Dtype() != b.Dtype() {
		return nil, errors.Errorf("%v: dtypes differ: %s is %v, %s is %v", op, a.Name(), a.Dtype(), b.Name(), b.Dtype())
	}
	if _, err := op.InferShape(a.Shape(), b.Shape()); err != nil {
		return nil, err
	}
	out, err = Apply(op, a, b)
	return out, errors.Wrapf(err, "%v of %s %v and %s %v", op, a.Name(), a.Shape(), b.Name(), b.Shape())
}

// gemmOp is C = op(A)·op(B).
type gemmOp struct {
	binaryBase
	transA, transB bool
}

var (
	_ G.SDOp            = (*gemmOp)(nil)
	_ G.UsePreallocDoer = (*gemmOp)(nil)
)

func (op *gemmOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, m)
}

// dims returns m, k, n of op(A) [m,k] · op(B) [k,n].
func (op *gemmOp) dims(sa, sb tensor.Shape) (m, k, n int, err error) {
	if len(sa) != 2 || len(sb) != 2 {
		return 0, 0, 0, errors.Errorf("%v: shapes %v and %v, want matrices", op, sa, sb)
	}
	m, k = sa[0], sa[1]
	if op.transA {
		m, k = k, m
	}
	kb, n := sb[0], sb[1]
	if op.transB {
		kb, n = n, kb
	}
	if k != kb {
		return 0, 0, 0, errors.Errorf("%v: inner dimensions differ: %v and %v", op, sa, sb)
	}
	return m, k, n, nil
}

func (op *gemmOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	sa, sb, err := twoShapes(op.String(), in)
	if err != nil {
		return nil, err
	}
	m, _, n, err := op.dims(sa, sb)
	return tensor.Shape{m, n}, err
}

func (op *gemmOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 2 {
		return nil, errors.Errorf("%v: expected 2 inputs, got %d", op, len(vs))
	}
	m, _, n, err := op.dims(vs[0].Shape(), vs[1].Shape())
	if err != nil {
		return nil, err
	}
	out := tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(m, n))
	return op.UsePreallocDo(out, vs...)
}

// UsePreallocDo writes C into prealloc, which must be a contiguous [m,n]
// tensor of the inputs' dtype.
func (op *gemmOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	a, b, c, err := preallocOperands(op, "gemm", 2, vs, prealloc)
	if err != nil {
		return nil, err
	}
	m, k, n, err := op.dims(a.Shape(), b.Shape())
	if err != nil {
		return nil, err
	}
	if cs := c.Shape(); len(cs) != 2 || cs[0] != m || cs[1] != n {
		return nil, errors.Errorf("%v: output has shape %v, want (%d, %d)", op, cs, m, n)
	}
	gemm(op.transA, op.transB, m, n, k, a, b, 0, c)
	return prealloc, nil
}

func (op *gemmOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *gemmOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindGemm is the kind of Gemm (Identity.TransA, TransB).
	KindGemm = NewKind("gemm")
)

// Identity is KindGemm.
func (op *gemmOp) Identity() Identity {
	return Identity{Kind: KindGemm, TransA: op.transA, TransB: op.transB}
}

func (op *gemmOp) String() string {
	return "gemm(" + tick("A", op.transA) + "," + tick("B", op.transB) + ")"
}

func tick(x string, t bool) string {
	if t {
		return x + "ᵀ"
	}
	return x
}

// SymDiff returns dA and dB as Gemms of G with the other operand (see Gemm).
func (op *gemmOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	a, b := in[0], in[1]
	var da, db *G.Node
	var err error
	switch {
	case !op.transA && !op.transB: // C = AB: dA = G Bᵀ, dB = Aᵀ G
		da, err = Gemm(g, b, false, true)
		if err == nil {
			db, err = Gemm(a, g, true, false)
		}
	case !op.transA && op.transB: // C = A Bᵀ: dA = G B, dB = Gᵀ A
		da, err = Gemm(g, b, false, false)
		if err == nil {
			db, err = Gemm(g, a, true, false)
		}
	case op.transA && !op.transB: // C = Aᵀ B: dA = B Gᵀ, dB = A G
		da, err = Gemm(b, g, false, true)
		if err == nil {
			db, err = Gemm(a, g, false, false)
		}
	default: // C = Aᵀ Bᵀ: dA = Bᵀ Gᵀ, dB = Gᵀ Aᵀ
		da, err = Gemm(b, g, true, true)
		if err == nil {
			db, err = Gemm(g, a, true, true)
		}
	}
	return G.Nodes{da, db}, errors.Wrapf(err, "gradient of %v", op)
}

// gemm computes c = op(a)·op(b) + beta·c through the build's BLAS.
func gemm(ta, tb bool, m, n, k int, a, b *tensor.Dense, beta float64, c *tensor.Dense) {
	lda, ldb := a.Shape()[1], b.Shape()[1]
	// Float64s and Float32s, unlike Data, do not allocate.
	if c.Dtype() == tensor.Float64 {
		blas.Dgemm(trans(ta), trans(tb), m, n, k, 1, a.Float64s(), lda, b.Float64s(), ldb, beta, c.Float64s(), n)
	} else {
		blas.Sgemm(trans(ta), trans(tb), m, n, k, 1, a.Float32s(), lda, b.Float32s(), ldb, float32(beta), c.Float32s(), n)
	}
}

func trans(t bool) gblas.Transpose {
	if t {
		return gblas.Trans
	}
	return gblas.NoTrans
}

// twoShapes returns the two input shapes of a binary op's InferShape.
func twoShapes(what string, in []G.DimSizer) (a, b tensor.Shape, err error) {
	if len(in) != 2 {
		return nil, nil, errors.Errorf("%s: expected 2 inputs, got %d", what, len(in))
	}
	a, ok1 := in[0].(tensor.Shape)
	b, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 {
		return nil, nil, errors.Errorf("%s: expected shapes, got %T and %T", what, in[0], in[1])
	}
	return a, b, nil
}

// preallocOperands checks that op got n inputs (1 or 2) and returns them, then
// prealloc, as matrices does; its errors name op. It is the first step of
// the UsePreallocDo of most symgrad ops.
func preallocOperands(op fmt.Stringer, what string, n int, vs []G.Value, prealloc G.Value) (a, b, c *tensor.Dense, err error) {
	if len(vs) != n {
		return nil, nil, nil, errors.Errorf("%v: expected %d %s, got %d", op, n, choose(n == 1, "input", "inputs"), len(vs))
	}
	if n == 1 {
		a, b, c, err = matrices(what, vs[0], prealloc)
	} else {
		a, b, c, err = matrices(what, vs[0], vs[1], prealloc)
	}
	if err != nil {
		return nil, nil, nil, errors.Wrapf(err, "%v", op)
	}
	return a, b, c, nil
}

// matrices returns vs as contiguous dense tensors of one float dtype
// (materializing views, which allocates; graph values are contiguous).
func matrices(what string, vs ...G.Value) (a, b, c *tensor.Dense, err error) {
	var ds [3]*tensor.Dense
	for i, v := range vs {
		t, ok := v.(tensor.Tensor)
		if !ok {
			return nil, nil, nil, errors.Errorf("%s: expected a tensor, got %T", what, v)
		}
		if ds[i], err = contiguous(t); err != nil {
			return nil, nil, nil, errors.Wrap(err, what)
		}
		if dt := ds[i].Dtype(); dt != ds[0].Dtype() || (dt != tensor.Float64 && dt != tensor.Float32) {
			return nil, nil, nil, errors.Errorf("%s: dtypes %v and %v, want one float dtype", what, ds[0].Dtype(), dt)
		}
	}
	return ds[0], ds[1], ds[2], nil
}

// contiguous returns t as a dense tensor whose Data() is exactly its
// elements in row-major order.
func contiguous(t tensor.Tensor) (*tensor.Dense, error) {
	d, err := dense(t)
	if err != nil {
		return nil, err
	}
	if d.RequiresIterator() {
		d = d.Clone().(*tensor.Dense)
	}
	if n := tensor.Shape(d.Shape()).TotalSize(); d.DataSize() != n {
		return nil, errors.Errorf("tensor %v holds %d elements, want %d", d.Shape(), d.DataSize(), n)
	}
	return d, nil
}

func init() {
	Register(&Spec{Name: "gemm", Family: "fused",
		Reference: refGemm, ReferenceOf: "Gorgonia's Mul of the (transposed) operands", Forward: "gemm(A, B, ta, tb) = op(A)·op(B), op(X) = Xᵀ when its flag is 1",
		Gradient: "C = AB: dA = G·Bᵀ, dB = Aᵀ·G; C = A·Bᵀ: dA = G·B, dB = Gᵀ·A; C = Aᵀ·B: dA = B·Gᵀ, dB = A·G; C = Aᵀ·Bᵀ: dA = Bᵀ·Gᵀ, dB = Gᵀ·Aᵀ",
		Notes:    "symgrad op: transposes are BLAS flags, never copies; the gradients are gemms (any order); OpenBLAS with -tags openblas.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			return Gemm(n[0], n[1], len(p) > 0 && p[0] != 0, len(p) > 1 && p[1] != 0)
		},
		MinNodes: 2, MaxNodes: 2, MaxParams: 2,
		Example: Example{Inputs: []Input{{Name: "a", Shape: []int{4, 3}, Domain: Real}, {Name: "b", Shape: []int{5, 4}, Domain: Real}},
			Params: []float64{1, 1}},
		Dtypes: floats, TwiceDifferentiable: true})
}

// refGemm is gemm as Gorgonia's Mul of the (transposed) operands.
func refGemm(n []*G.Node, p []float64) (*G.Node, error) {
	a, b := n[0], n[1]
	var err error
	if len(p) > 0 && p[0] != 0 {
		if a, err = G.Transpose(a); err != nil {
			return nil, err
		}
	}
	if len(p) > 1 && p[1] != 0 {
		if b, err = G.Transpose(b); err != nil {
			return nil, err
		}
	}
	return G.Mul(a, b)
}

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

// BatchedMatMul is PyTorch's torch.matmul for operands of rank >= 2:
// C[..., m, n] = op(A)[..., m, k] · op(B)[..., k, n] for every index of the
// batch axes (all but the last two), op(X) the transpose of X's last two
// axes when transA / transB say so (a BLAS flag, never a copy). The batch
// axes broadcast as PyTorch's do: aligned from the right, a missing axis
// or an axis of size 1 repeats ([B, H, m, k] · [k, n] and
// [B, 1, m, k] · [1, H, k, n] are both fine; [2, m, k] · [3, k, n] is
// an error).
//
// Gradient, with G = dL/dC: as Gemm's, batch by batch (C = A·B: dA = G·Bᵀ,
// dB = Aᵀ·G, and the transposed cases), each itself a BatchedMatMul; an
// operand whose batch axes were broadcast gets its gradient summed over
// them (Σ over the repeated axes, then reshaped to its shape). So
// BatchedMatMul is differentiable any number of times.
func BatchedMatMul(a, b *G.Node, transA, transB bool) (out *G.Node, err error) {
	defer panics.Recover(&err, "bmm")
	for _, x := range []*G.Node{a, b} {
		if err := checkFloatNode("bmm", x); err != nil {
			return nil, err
		}
		if x.Dims() < 2 {
			return nil, errors.Errorf("bmm: %s has shape %v, want at least 2 axes [..., rows, cols]", x.Name(), x.Shape())
		}
	}
	if a.Dtype() != b.Dtype() {
		return nil, errors.Errorf("bmm: dtypes differ: %s is %v, %s is %v", a.Name(), a.Dtype(), b.Name(), b.Dtype())
	}
	op := &bmmOp{transA: transA, transB: transB, sa: a.Shape().Clone(), sb: b.Shape().Clone()}
	if op.out, err = op.outShape(op.sa, op.sb); err != nil {
		return nil, errors.Wrapf(err, "bmm of %s and %s", a.Name(), b.Name())
	}
	op.offA, op.offB = batchOffsets(op.sa, op.out), batchOffsets(op.sb, op.out)
	out, err = Apply(op, a, b)
	return out, errors.Wrapf(err, "%v of %s and %s", op, a.Name(), b.Name())
}

// bmmOp is C = op(A)·op(B) over broadcast batch axes.
type bmmOp struct {
	binaryBase
	transA, transB bool
	sa, sb, out    tensor.Shape
	// offA, offB: batchOffsets of each operand, computed once (a step
	// must not allocate them).
	offA, offB []int
}

var (
	_ G.SDOp            = (*bmmOp)(nil)
	_ G.UsePreallocDoer = (*bmmOp)(nil)
)

// broadcastBatch is PyTorch's broadcast of two batch shapes.
func broadcastBatch(a, b tensor.Shape) (tensor.Shape, error) {
	n := max(len(a), len(b))
	out := make(tensor.Shape, n)
	for i := range n {
		da, db := 1, 1
		if j := i - (n - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (n - len(b)); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db, db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, errors.Errorf("batch axes %v and %v do not broadcast (axis %d: %d vs %d)", []int(a), []int(b), i, da, db)
		}
	}
	return out, nil
}

// mkn returns m, k, n of op(A) [..., m, k] · op(B) [..., k, n].
func (op *bmmOp) mkn(sa, sb tensor.Shape) (m, k, n int, err error) {
	m, k = sa[len(sa)-2], sa[len(sa)-1]
	if op.transA {
		m, k = k, m
	}
	kb, n := sb[len(sb)-2], sb[len(sb)-1]
	if op.transB {
		kb, n = n, kb
	}
	if k != kb {
		return 0, 0, 0, errors.Errorf("%v: inner dimensions differ: %v and %v", op, []int(sa), []int(sb))
	}
	return m, k, n, nil
}

func (op *bmmOp) outShape(sa, sb tensor.Shape) (tensor.Shape, error) {
	if len(sa) < 2 || len(sb) < 2 {
		return nil, errors.Errorf("%v: shapes %v and %v need at least 2 axes", op, sa, sb)
	}
	m, _, n, err := op.mkn(sa, sb)
	if err != nil {
		return nil, err
	}
	batch, err := broadcastBatch(sa[:len(sa)-2], sb[:len(sb)-2])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	return append(batch, m, n), nil
}

func (op *bmmOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: len(op.sa), Of: a}, G.TensorType{Dims: len(op.sb), Of: a}, G.TensorType{Dims: len(op.out), Of: a})
}
func (op *bmmOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	sa, sb, err := twoShapes(op.String(), in)
	if err != nil {
		return nil, err
	}
	return op.outShape(sa, sb)
}
func (op *bmmOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 2 {
		return nil, errors.Errorf("%v: expected 2 inputs, got %d", op, len(vs))
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(op.out.Clone()...)), vs...)
}

// UsePreallocDo writes C into prealloc, one gemm per batch index.
func (op *bmmOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	a, b, c, err := preallocOperands(op, "bmm", 2, vs, prealloc)
	if err != nil {
		return nil, err
	}
	if !equalDims(a.Shape(), op.sa) || !equalDims(b.Shape(), op.sb) || !equalDims(c.Shape(), op.out) {
		return nil, errors.Errorf("%v: values %v, %v -> %v do not fit the op", op, a.Shape(), b.Shape(), c.Shape())
	}
	if c.Dtype() == tensor.Float64 {
		bmmKernel(op, a.Float64s(), b.Float64s(), c.Float64s())
	} else {
		bmmKernel(op, a.Float32s(), b.Float32s(), c.Float32s())
	}
	return prealloc, nil
}

// batchOffsets returns, for every flat index of the output's batch axes,
// the element offset of the matching matrix of an operand of shape s
// (whose batch axes broadcast to the output's).
func batchOffsets(s, out tensor.Shape) []int {
	batch := out[:len(out)-2]
	own := s[:len(s)-2]
	size := s[len(s)-2] * s[len(s)-1]
	count := batch.TotalSize()
	if len(batch) == 0 {
		count = 1
	}
	offs := make([]int, count)
	idx := make([]int, len(batch))
	for f := range offs {
		off, stride := 0, size
		for i := len(batch) - 1; i >= 0; i-- {
			j := i - (len(batch) - len(own))
			if j < 0 {
				break
			}
			if own[j] != 1 {
				off += idx[i] * stride
			}
			stride *= own[j]
		}
		offs[f] = off
		for i := len(batch) - 1; i >= 0; i-- { // next index, row-major
			if idx[i]++; idx[i] < batch[i] {
				break
			}
			idx[i] = 0
		}
	}
	return offs
}

func bmmKernel[T float32 | float64](op *bmmOp, a, b, c []T) {
	m, k, n, _ := op.mkn(op.sa, op.sb)
	lda, ldb := op.sa[len(op.sa)-1], op.sb[len(op.sb)-1]
	oa, ob := op.offA, op.offB
	sa, sb := op.sa[len(op.sa)-2]*lda, op.sb[len(op.sb)-2]*ldb
	for i := range oa {
		gemmT(op.transA, op.transB, m, n, k, a[oa[i]:oa[i]+sa], lda, b[ob[i]:ob[i]+sb], ldb, 0, c[i*m*n:(i+1)*m*n], n)
	}
}

func (op *bmmOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *bmmOp) Hashcode() uint32      { return hashOf(op) }
func (op *bmmOp) String() string {
	return fmt.Sprintf("bmm(%s%v·%s%v)", tick("A", op.transA), []int(op.sa), tick("B", op.transB), []int(op.sb))
}

// SymDiff returns dA and dB as BatchedMatMuls of G with the other operand
// (the rules of Gemm), summed over the axes the operand was broadcast along.
func (op *bmmOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	a, b := in[0], in[1]
	type prod struct {
		x, y   *G.Node
		tx, ty bool
	}
	var pa, pb prod
	switch {
	case !op.transA && !op.transB: // C = AB: dA = G Bᵀ, dB = Aᵀ G
		pa, pb = prod{g, b, false, true}, prod{a, g, true, false}
	case !op.transA && op.transB: // C = A Bᵀ: dA = G B, dB = Gᵀ A
		pa, pb = prod{g, b, false, false}, prod{g, a, true, false}
	case op.transA && !op.transB: // C = Aᵀ B: dA = B Gᵀ, dB = A G
		pa, pb = prod{b, g, false, true}, prod{a, g, false, false}
	default: // C = Aᵀ Bᵀ: dA = Bᵀ Gᵀ, dB = Gᵀ Aᵀ
		pa, pb = prod{b, g, true, true}, prod{g, a, true, true}
	}
	var out G.Nodes
	for i, p := range []prod{pa, pb} {
		d, err := BatchedMatMul(p.x, p.y, p.tx, p.ty)
		if err == nil {
			d, err = sumToShape(d, in[i].Shape())
		}
		if err != nil {
			return nil, errors.Wrapf(err, "gradient of %v", op)
		}
		out = append(out, d)
	}
	return out, nil
}

// sumToShape sums x over the batch axes that a tensor of shape `to`
// broadcast along (leading axes it lacks, axes where it has size 1), the
// adjoint of that broadcast, and reshapes the result to `to`.
func sumToShape(x *G.Node, to tensor.Shape) (*G.Node, error) {
	xs := x.Shape()
	lead := len(xs) - len(to)
	var axes []int
	for i := range len(xs) - 2 {
		if j := i - lead; j < 0 || (to[j] == 1 && xs[i] != 1) {
			axes = append(axes, i)
		}
	}
	if len(axes) == 0 {
		return x, nil
	}
	s, err := applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.Sum(in[0], axes...) }, x)
	if err != nil || equalDims(s.Shape(), to) {
		return s, err
	}
	return Reshape(s, to...)
}

func init() {
	Register(&Spec{Name: "bmm", Family: "bmm", Forward: "bmm(A, B, ta, tb)[..., :, :] = op(A)[..., :, :]·op(B)[..., :, :], batch axes broadcast as torch.matmul's; op(X) swaps X's last two axes when its flag is 1",
		Gradient: "as gemm's per batch (C = AB: dA = G·Bᵀ, dB = Aᵀ·G; transposed cases likewise), each a bmm, summed over the batch axes the operand was broadcast along",
		Notes:    "symgrad op: one BLAS gemm per batch index with transpose flags (no copies); Gorgonia's BatchedMatMul allows only 3-D operands of equal batch.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			return BatchedMatMul(n[0], n[1], len(p) > 0 && p[0] != 0, len(p) > 1 && p[1] != 0)
		},
		MinNodes: 2, MaxNodes: 2, MaxParams: 2,
		Example: Example{Inputs: []Input{{Name: "a", Shape: []int{2, 1, 3, 4}, Domain: Real}, {Name: "b", Shape: []int{3, 5, 4}, Domain: Real}},
			Params: []float64{0, 1}},
		Dtypes: floats, TwiceDifferentiable: true})
}

// KindBMM is the kind of symgrad's BatchedMatMul (KindBatchedMatMul is
// Gorgonia's).
var KindBMM = NewKind("bmm")

// Identity is KindBMM.
func (op *bmmOp) Identity() Identity { return Identity{Kind: KindBMM} }
