package models

import (
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// Embedding is PyTorch's nn.Embedding(num, dim, padding_idx): y[..., :] =
// weight[idx[...], :] for int64 token ids idx, weight [num, dim]
// initialised N(0, 1) with the padding row zeroed.
//
// It is ops.Embedding, a row copy whose gradient ops.EmbeddingScatter adds
// dy into the looked-up rows; the padding row (when Padding >= 0) gets
// none, as in PyTorch. A token id outside [0, num) is an error naming the
// id, its position and num.
type Embedding struct {
	Name     string
	Num, Dim int
	Padding  int     // PyTorch's padding_idx; ops.NoPadding (-1) for none
	Weight   *G.Node // <name>.weight, [Num, Dim]
}

// NewEmbedding adds an Embedding's weight to g, drawn from N(0, 1) with rng,
// without a padding index.
func NewEmbedding(g *G.ExprGraph, name string, num, dim int, dt tensor.Dtype, rng *rand.Rand) (*Embedding, error) {
	return NewEmbeddingPadded(g, name, num, dim, ops.NoPadding, dt, rng)
}

// NewEmbeddingPadded is NewEmbedding with PyTorch's padding_idx: row
// padding (in [0, num), or ops.NoPadding for none) of the weight starts
// at zero and never gets a gradient.
func NewEmbeddingPadded(g *G.ExprGraph, name string, num, dim, padding int, dt tensor.Dtype, rng *rand.Rand) (e *Embedding, err error) {
	if num <= 0 || dim <= 0 {
		return nil, errors.Errorf("embedding %q: sizes must be positive, got num=%d dim=%d", name, num, dim)
	}
	if err := checkInit("embedding", name, rng, num, dim); err != nil {
		return nil, err
	}
	if padding != ops.NoPadding && (padding < 0 || padding >= num) {
		return nil, errors.Errorf("embedding %q: padding_idx %d outside [0, %d) (ops.NoPadding for none)", name, padding, num)
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
	e = &Embedding{Name: name, Num: num, Dim: dim, Padding: padding}
	if padding >= 0 {
		switch d := w.Data().(type) {
		case []float64:
			clear(d[padding*dim : (padding+1)*dim])
		case []float32:
			clear(d[padding*dim : (padding+1)*dim])
		}
	}
	p := newLayerParams(g, "embedding", name, dt, rng)
	if e.Weight = p.value("weight", w); p.err != nil {
		return nil, p.err
	}
	return e, nil
}

// Forward looks up idx, an int64 node of any shape S, giving [S..., Dim].
func (e *Embedding) Forward(idx *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "embedding %q", e.Name)
	if idx.Dtype() != tensor.Int64 || idx.IsScalar() {
		return nil, errors.Errorf("embedding %q: indices %q must be an int64 tensor, got %v of shape %v", e.Name, idx.Name(), idx.Dtype(), idx.Shape())
	}
	y, err = ops.Embedding(e.Weight, idx, e.Padding)
	return y, errors.Wrapf(err, "embedding %q", e.Name)
}

// Params returns the weight.
func (e *Embedding) Params() []*G.Node { return []*G.Node{e.Weight} }

// Buffers returns nil: Embedding has no buffers.
func (e *Embedding) Buffers() []*Buffer { return nil }
