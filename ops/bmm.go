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
	if len(vs) != 2 {
		return nil, errors.Errorf("%v: expected 2 inputs, got %d", op, len(vs))
	}
	a, b, c, err := matrices("bmm", vs[0], vs[1], prealloc)
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
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
