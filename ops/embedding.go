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

// NoPadding is the padding index of an embedding without one.
const NoPadding = -1

// Embedding is PyTorch's embedding lookup y[s..., :] = w[idx[s...], :] for
// a table w [V, D] and int64 token ids idx of any shape S (output
// [S..., D]). An id outside [0, V) is an error naming the id, its
// position (flat, row-major) and V. With padding >= 0 (PyTorch's
// padding_idx) the row w[padding] is looked up as any other but gets no
// gradient.
//
// Gradient: dw = EmbeddingScatter(idx, G, V, padding): dw[v] = Σ_{s: idx[s]=v}
// G[s] for v != padding, dw[padding] = 0; the ids are not differentiable.
func Embedding(w, idx *G.Node, padding int) (out *G.Node, err error) {
	defer panics.Recover(&err, "embedding of %s", idx.Name())
	if err := checkFloatNode("embedding", w); err != nil {
		return nil, err
	}
	if w.Dims() != 2 || idx.Dtype() != tensor.Int64 || idx.Dims() < 1 {
		return nil, errors.Errorf("embedding: want a table [V, D] and int64 ids of rank >= 1, got %s %v %v and %s %v %v",
			w.Name(), w.Dtype(), w.Shape(), idx.Name(), idx.Dtype(), idx.Shape())
	}
	op, err := newEmbedOp(embedGather, w.Shape(), idx.Shape(), padding)
	if err != nil {
		return nil, err
	}
	out, err = Apply(op, w, idx)
	return out, errors.Wrapf(err, "embedding of %s %v in %s %v", idx.Name(), idx.Shape(), w.Name(), w.Shape())
}

// EmbeddingScatter adds g [S..., D] into the rows idx of a zero [V, D]
// table, row padding (if >= 0) left zero: the gradient of Embedding. It is
// linear in g.
//
// Gradient: dg[s] = H[idx[s]], 0 where idx[s] = padding.
func EmbeddingScatter(idx, g *G.Node, vocab, padding int) (out *G.Node, err error) {
	defer panics.Recover(&err, "embedding scatter")
	if err := checkFloatNode("embeddingscatter", g); err != nil {
		return nil, err
	}
	is, gs := idx.Shape(), g.Shape()
	if idx.Dtype() != tensor.Int64 || idx.Dims() < 1 || gs.Dims() != is.Dims()+1 || !equalDims(gs[:is.Dims()], is) {
		return nil, errors.Errorf("embeddingscatter: want int64 ids S and g [S..., D], got %s %v %v and %s %v", idx.Name(), idx.Dtype(), is, g.Name(), gs)
	}
	op, err := newEmbedOp(embedScatter, tensor.Shape{vocab, gs[gs.Dims()-1]}, is, padding)
	if err != nil {
		return nil, err
	}
	out, err = Apply(op, idx, g)
	return out, errors.Wrapf(err, "embedding scatter of %s %v", g.Name(), gs)
}

// embedKind says which of the three embedding maps an embedOp is.
type embedKind int

const (
	embedGather  embedKind = iota // (w, idx) -> w[idx]
	embedScatter                  // (idx, g) -> dw, padding row 0
	embedMasked                   // (h, idx) -> h[idx], 0 at padding ids (the scatter's adjoint)
)

type embedOp struct {
	opBase
	kind    embedKind
	table   tensor.Shape // [V, D]
	ids     tensor.Shape // S
	padding int
}

func newEmbedOp(kind embedKind, table, ids tensor.Shape, padding int) (*embedOp, error) {
	if table[0] < 1 || table[1] < 1 || padding < NoPadding || padding >= table[0] {
		return nil, errors.Errorf("embedding: table %v with padding index %d (want -1 or in [0, %d))", table, padding, table[0])
	}
	return &embedOp{kind: kind, table: table.Clone(), ids: ids.Clone(), padding: padding}, nil
}

var (
	_ G.SDOp            = (*embedOp)(nil)
	_ G.UsePreallocDoer = (*embedOp)(nil)
)

func (op *embedOp) rows() tensor.Shape { return append(op.ids.Clone(), op.table[1]) }

func (op *embedOp) Arity() int { return 2 }
func (op *embedOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	tab := G.TensorType{Dims: 2, Of: a}
	ids := G.TensorType{Dims: op.ids.Dims(), Of: tensor.Int64}
	rows := G.TensorType{Dims: op.ids.Dims() + 1, Of: a}
	if op.kind == embedScatter {
		return hm.NewFnType(ids, rows, tab)
	}
	if op.kind == embedMasked {
		return hm.NewFnType(tab, ids, rows)
	}
	return hm.NewFnType(tab, ids, rows)
}
func (op *embedOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	if op.kind == embedScatter {
		return op.table.Clone(), nil
	}
	return op.rows(), nil
}
func (op *embedOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 2 {
		return nil, errors.Errorf("%v: expected 2 inputs, got %d", op, len(vs))
	}
	fv := vs[0]
	if op.kind == embedScatter {
		fv = vs[1]
	}
	shape, _ := op.InferShape()
	return op.UsePreallocDo(tensor.New(tensor.Of(fv.Dtype()), tensor.WithShape(shape...)), vs...)
}

// UsePreallocDo writes the op's result into prealloc.
func (op *embedOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 2 {
		return nil, errors.Errorf("%v: expected 2 inputs, got %d", op, len(vs))
	}
	iv, fv := vs[1], vs[0]
	if op.kind == embedScatter {
		iv, fv = vs[0], vs[1]
	}
	ids, ok := idsOf(iv)
	if !ok || len(ids) != op.ids.TotalSize() {
		return nil, errors.Errorf("%v: ids must be int64 %v, got %v %v", op, op.ids, iv.Dtype(), iv.Shape())
	}
	for k, id := range ids {
		if id < 0 || id >= int64(op.table[0]) {
			return nil, errors.Errorf("embedding: token id %d at position %d is outside the vocabulary [0, %d)", id, k, op.table[0])
		}
	}
	src, err := denseOfDims(fv, fv.Dtype())
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	dst, err := denseOfDims(prealloc, fv.Dtype())
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	switch src.Dtype() {
	case tensor.Float64:
		embedKernel(op, ids, src.Float64s(), dst.Float64s())
	case tensor.Float32:
		embedKernel(op, ids, src.Float32s(), dst.Float32s())
	default:
		return nil, errors.Errorf("%v: dtype %v, want float64 or float32", op, src.Dtype())
	}
	return prealloc, nil
}

// idsOf returns an int64 value's elements; a dense tensor's through its
// typed accessor (Dense.Data builds its slice through reflection, which
// allocates on every step).
func idsOf(v G.Value) ([]int64, bool) {
	if d, ok := v.(*tensor.Dense); ok && d.Dtype() == tensor.Int64 && !d.IsScalar() {
		return d.Int64s(), true
	}
	ids, ok := v.Data().([]int64)
	return ids, ok
}

// embedKernel runs one of the three maps; d is the row width.
func embedKernel[T float32 | float64](op *embedOp, ids []int64, src, dst []T) {
	d := op.table[1]
	if op.kind == embedScatter {
		clear(dst)
		for k, id := range ids {
			if int(id) == op.padding {
				continue
			}
			row := dst[int(id)*d : (int(id)+1)*d]
			for j, v := range src[k*d : (k+1)*d] {
				row[j] += v
			}
		}
		return
	}
	for k, id := range ids {
		out := dst[k*d : (k+1)*d]
		if op.kind == embedMasked && int(id) == op.padding {
			clear(out)
			continue
		}
		copy(out, src[int(id)*d:(int(id)+1)*d])
	}
}

func (op *embedOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *embedOp) Hashcode() uint32      { return hashOf(op) }
func (op *embedOp) String() string {
	name := [...]string{"embedding", "embeddingscatter", "embeddingmasked"}[op.kind]
	return fmt.Sprintf("%s(table=%v,ids=%v,padding=%d)", name, op.table, op.ids, op.padding)
}
func (op *embedOp) DiffWRT(int) []bool {
	if op.kind == embedScatter {
		return []bool{false, true}
	}
	return []bool{true, false}
}

// SymDiff: gather and masked gather have the gradient scatter(idx, g);
// scatter has the masked gather of g. The ids get none.
func (op *embedOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	if op.kind == embedScatter {
		m := *op
		m.kind = embedMasked
		d, err := Apply(&m, g, in[0])
		return G.Nodes{nil, d}, errors.Wrapf(err, "gradient of %v", op)
	}
	d, err := EmbeddingScatter(in[1], g, op.table[0], op.padding)
	return G.Nodes{d, nil}, errors.Wrapf(err, "gradient of %v", op)
}

func init() {
	padOf := func(p []float64) (int, error) {
		if len(p) == 0 {
			return NoPadding, nil
		}
		q, err := intParams("embedding", p)
		if err != nil {
			return 0, err
		}
		return q[0], nil
	}
	Register(&Spec{Name: "embedding", Family: "embedding",
		Forward:  "embedding(w, idx, pad)[s..., :] = w[idx[s...], :] (w [V, D], int64 ids idx of any shape; pad = padding_idx, default none)",
		Gradient: "dw = embeddingscatter(idx, g, pad): dw[v] = Σ_{s: idx[s]=v} g[s] for v != pad, dw[pad] = 0; no gradient for idx",
		Notes:    "symgrad op: PyTorch's Embedding(padding_idx=pad) lookup, a row copy (no one-hot product); an id outside [0, V) is an error naming the id, its position and V. With a padding index the numeric derivative of w[pad] is not 0 (the row is looked up), the symbolic one is, as in PyTorch: checked without one here, with one in TestEmbeddingPadding.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			pad, err := padOf(p)
			if err != nil {
				return nil, err
			}
			return Embedding(n[0], n[1], pad)
		},
		MinNodes: 2, MaxNodes: 2, MaxParams: 1,
		Example: Example{Inputs: []Input{{Name: "w", Shape: []int{5, 3}, Domain: Real}, {Name: "idx", Shape: []int{2, 4}, Classes: 5}}},
		Dtypes:  floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "embeddingscatter", Family: "embedding",
		Forward:  "embeddingscatter(idx, g, V, pad)[v, :] = Σ_{s: idx[s]=v} g[s, :] for v != pad, row pad 0 ([V, D])",
		Gradient: "dg[s] = h[idx[s]], 0 where idx[s] = pad (the adjoint gather)",
		Notes:    "symgrad op: embedding's weight gradient, linear in g.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			q, err := convParams("embeddingscatter", p, []int{5, NoPadding})
			if err != nil {
				return nil, err
			}
			return EmbeddingScatter(n[0], n[1], q[0], q[1])
		},
		MinNodes: 2, MaxNodes: 2, MaxParams: 2,
		Example: Example{Inputs: []Input{{Name: "idx", Shape: []int{2, 4}, Classes: 5}, {Name: "g", Shape: []int{2, 4, 3}, Domain: Real}},
			Params: []float64{5, 2}},
		Dtypes: floats, TwiceDifferentiable: true})
}

// EmbeddingVocab reports whether n is an Embedding lookup and, if so, its
// vocabulary size V: the bound its int64 ids (its second argument) must
// stay below. Tools that check inputs before running (the gradcheck CLI)
// use it to tell token ids from class indices.
func EmbeddingVocab(n *G.Node) (int, bool) {
	op, ok := OpOf(n).(*embedOp)
	if !ok || op.kind == embedScatter {
		return 0, false
	}
	return op.table[0], true
}

// KindEmbedding is the kind of Embedding and its scatter gradient.
var KindEmbedding = NewKind("embedding")

// Identity is KindEmbedding.
func (op *embedOp) Identity() Identity { return Identity{Kind: KindEmbedding} }
