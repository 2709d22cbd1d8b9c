package models

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math/rand/v2"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/panics"
)

// Embedding is PyTorch's nn.Embedding(num, dim): y[..., :] = weight[idx[...], :]
// for int64 indices idx, weight [num, dim] initialised N(0, 1).
//
// It is computed as onehot(idx) · weight, so its gradient, onehot(idx)^T ·
// dy (a scatter-add of dy into the looked-up rows), comes from Gorgonia's
// matrix product; the one-hot encoding has no gradient (indices are not
// differentiable).
type Embedding struct {
	Name     string
	Num, Dim int
	Weight   *G.Node // <name>.weight, [Num, Dim]
}

// NewEmbedding adds an Embedding's weight to g, drawn from N(0, 1) with rng.
func NewEmbedding(g *G.ExprGraph, name string, num, dim int, dt tensor.Dtype, rng *rand.Rand) (e *Embedding, err error) {
	if num <= 0 || dim <= 0 {
		return nil, errors.Errorf("embedding %q: sizes must be positive, got num=%d dim=%d", name, num, dim)
	}
	if err := checkInit("embedding", name, rng, num, dim); err != nil {
		return nil, err
	}
	w := tensor.New(tensor.Of(dt), tensor.WithShape(num, dim))
	switch d := w.Data().(type) {
	case []float64:
		for i := range d {
			d[i] = rng.NormFloat64()
		}
	case []float32:
		for i := range d {
			d[i] = float32(rng.NormFloat64())
		}
	}
	e = &Embedding{Name: name, Num: num, Dim: dim}
	if e.Weight, err = compiler.NewParam(g, name+".weight", w); err != nil {
		return nil, errors.Wrapf(err, "embedding %q", name)
	}
	return e, nil
}

// Forward looks up idx, an int64 node of any shape S, giving [S..., Dim].
func (e *Embedding) Forward(idx *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "embedding %q", e.Name)
	if idx.Dtype() != tensor.Int64 || idx.IsScalar() {
		return nil, errors.Errorf("embedding %q: indices %q must be an int64 tensor, got %v of shape %v", e.Name, idx.Name(), idx.Dtype(), idx.Shape())
	}
	oh, err := G.ApplyOp(&oneHotOp{num: e.Num, dt: e.Weight.Dtype()}, idx)
	if err != nil {
		return nil, errors.Wrapf(err, "embedding %q: one-hot", e.Name)
	}
	if y, err = G.Mul(oh, e.Weight); err != nil {
		return nil, errors.Wrapf(err, "embedding %q: lookup", e.Name)
	}
	if idx.Dims() == 1 {
		return y, nil
	}
	shape := append(idx.Shape().Clone(), e.Dim)
	y, err = G.Reshape(y, shape)
	return y, errors.Wrapf(err, "embedding %q: reshape to %v", e.Name, shape)
}

// Params returns the weight.
func (e *Embedding) Params() []*G.Node { return []*G.Node{e.Weight} }

// Buffers returns nil: Embedding has no buffers.
func (e *Embedding) Buffers() []*Buffer { return nil }

// oneHotOp maps int64 indices of any shape (N elements) to a float [N, num]
// matrix with a 1 at (k, idx[k]). An index outside [0, num) is an error.
var _ G.SDOp = (*oneHotOp)(nil)

type oneHotOp struct {
	num int
	dt  tensor.Dtype
}

func (op *oneHotOp) Arity() int { return 1 }

func (op *oneHotOp) Type() hm.Type {
	return hm.NewFnType(hm.TypeVariable('a'), G.TensorType{Dims: 2, Of: op.dt})
}

func (op *oneHotOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, errors.Errorf("one-hot: expected a shape, got %T", in[0])
	}
	return tensor.Shape{s.TotalSize(), op.num}, nil
}

func (op *oneHotOp) Do(vs ...G.Value) (G.Value, error) {
	idx, ok := vs[0].Data().([]int64)
	if !ok {
		return nil, errors.Errorf("one-hot: indices must be int64, got %T", vs[0].Data())
	}
	out := tensor.New(tensor.Of(op.dt), tensor.WithShape(len(idx), op.num))
	for k, i := range idx {
		if i < 0 || i >= int64(op.num) {
			return nil, errors.Errorf("embedding: index %d at position %d is outside [0, %d)", i, k, op.num)
		}
		switch d := out.Data().(type) {
		case []float64:
			d[k*op.num+int(i)] = 1
		case []float32:
			d[k*op.num+int(i)] = 1
		}
	}
	return out, nil
}

// DiffWRT says the indices are not differentiable; Gorgonia asks every op
// on the loss's path.
func (op *oneHotOp) DiffWRT(int) []bool { return []bool{false} }

// SymDiff is never called (DiffWRT is false); it returns an error.
func (op *oneHotOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.New("one-hot: indices are not differentiable")
}

func (op *oneHotOp) ReturnsPtr() bool      { return false }
func (op *oneHotOp) CallsExtern() bool     { return false }
func (op *oneHotOp) OverwritesInput() int  { return -1 }
func (op *oneHotOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *oneHotOp) String() string        { return fmt.Sprintf("onehot(%d,%v)", op.num, op.dt) }

func (op *oneHotOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
