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
	if len(vs) != 2 {
		return nil, errors.Errorf("%v: expected 2 inputs, got %d", op, len(vs))
	}
	a, b, c, err := matrices("gemm", vs[0], vs[1], prealloc)
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
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
