package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// pickOp is out[b] = x[b, c_b], for x [B, C] and int64 classes c [B].
// Its gradient is scatterOp, and scatterOp's is pickOp: the two are each
// other's adjoint, so NLL is differentiable any number of times.
type pickOp struct {
	classOpBase
	shape tensor.Shape // [B, C]
}

func (op *pickOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(op.matOf(a), op.vecOfInt(), G.TensorType{Dims: 1, Of: a})
}
func (op *pickOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.shape[0]}, nil
}
func (op *pickOp) Do(vs ...G.Value) (G.Value, error) {
	x, cs, err := classInputs(op, op.shape, vs)
	if err != nil {
		return nil, err
	}
	b, c := op.shape[0], op.shape[1]
	res := make([]float64, b)
	for i := range res {
		res[i] = x[i*c+int(cs[i])]
	}
	return valueOf(res, tensor.Shape{b}, dtypeOf(vs[0]))
}
func (op *pickOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *pickOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindPick is the kind of pick(x, classes) (NLL's gather); input 1 is class indices.
	KindPick = NewKind("pick")
	// KindScatter is the kind of pick's gradient scatter; input 1 is class indices.
	KindScatter = NewKind("scatter")
)

// Identity is KindPick.
func (op *pickOp) Identity() Identity { return Identity{Kind: KindPick} }

func (op *pickOp) String() string { return fmt.Sprintf("pick%v", op.shape) }

// SymDiff is d/dx = scatter(g, c): g_b at [b, c_b], 0 elsewhere.
func (op *pickOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	gx, err := Apply(&scatterOp{shape: op.shape}, g, in[1])
	return G.Nodes{gx, nil}, err
}

// scatterOp is out[b, c_b] = v[b], 0 elsewhere, for v [B] and classes [B].
type scatterOp struct {
	classOpBase
	shape tensor.Shape // [B, C], the output
}

func (op *scatterOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 1, Of: a}, op.vecOfInt(), op.matOf(a))
}
func (op *scatterOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op *scatterOp) Do(vs ...G.Value) (G.Value, error) {
	v, cs, err := classInputs(op, op.shape, vs)
	if err != nil {
		return nil, err
	}
	b, c := op.shape[0], op.shape[1]
	res := make([]float64, b*c)
	for i := 0; i < b; i++ {
		res[i*c+int(cs[i])] = v[i]
	}
	return valueOf(res, op.shape, dtypeOf(vs[0]))
}
func (op *scatterOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *scatterOp) Hashcode() uint32      { return hashOf(op) }

// Identity is KindScatter.
func (op *scatterOp) Identity() Identity { return Identity{Kind: KindScatter} }

func (op *scatterOp) String() string { return fmt.Sprintf("scatter%v", op.shape) }

// SymDiff is d/dv = pick(g, c).
func (op *scatterOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	gv, err := Apply(&pickOp{shape: op.shape}, g, in[1])
	return G.Nodes{gv, nil}, err
}
