package gradcheck

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// fakeOp is a tiny G.Op whose forward rule and SymDiff are given as
// functions, so tests can build ops with deliberately wrong gradients.
type fakeOp struct {
	name  string
	arity int
	do    func(in ...*tensor.Dense) *tensor.Dense
	shape func(in ...tensor.Shape) tensor.Shape
	diff  func(in G.Nodes, out, grad *G.Node) (G.Nodes, error)
}

var _ G.SDOp = (*fakeOp)(nil)

func (op *fakeOp) Arity() int { return op.arity }
func (op *fakeOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, op.arity+1)
	for i := range ts {
		ts[i] = a
	}
	return hm.NewFnType(ts...)
}
func (op *fakeOp) InferShape(ds ...G.DimSizer) (tensor.Shape, error) {
	in := make([]tensor.Shape, len(ds))
	for i, d := range ds {
		in[i] = d.(tensor.Shape)
	}
	return op.shape(in...), nil
}
func (op *fakeOp) Do(vs ...G.Value) (G.Value, error) {
	in := make([]*tensor.Dense, len(vs))
	for i, v := range vs {
		in[i] = v.(*tensor.Dense)
	}
	return op.do(in...), nil
}
func (op *fakeOp) ReturnsPtr() bool      { return false }
func (op *fakeOp) CallsExtern() bool     { return false }
func (op *fakeOp) OverwritesInput() int  { return -1 }
func (op *fakeOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "fake %s %p", op.name, op) }
func (op *fakeOp) String() string        { return op.name }
func (op *fakeOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = true
	}
	return out
}
func (op *fakeOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	return op.diff(in, out, grad)
}
func (op *fakeOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// mapDense applies f to every element of x.
func mapDense(x *tensor.Dense, f func(float64) float64) *tensor.Dense {
	xs := x.Data().([]float64)
	out := make([]float64, len(xs))
	for i, v := range xs {
		out[i] = f(v)
	}
	return tensor.New(tensor.WithShape(x.Shape().Clone()...), tensor.WithBacking(out))
}

func sameShape(in ...tensor.Shape) tensor.Shape { return in[0].Clone() }

// cube is y = x^3 whose gradient is grad(x, upstream) built from nodes.
func cube(name string, grad func(x, up *G.Node) (*G.Node, error)) *fakeOp {
	return &fakeOp{name: name, arity: 1, shape: sameShape,
		do: func(in ...*tensor.Dense) *tensor.Dense {
			return mapDense(in[0], func(v float64) float64 { return v * v * v })
		},
		diff: func(in G.Nodes, _, up *G.Node) (G.Nodes, error) {
			d, err := grad(in[0], up)
			return G.Nodes{d}, err
		}}
}

// threeXSquared is 3 x^2 as a node.
func threeXSquared(x *G.Node) (*G.Node, error) {
	sq, err := G.Square(x)
	if err != nil {
		return nil, err
	}
	return G.Mul(sq, G.NewConstant(3.0))
}

// scaled returns a gradient rule k * 3x^2 * up.
func scaled(k float64) func(x, up *G.Node) (*G.Node, error) {
	return func(x, up *G.Node) (*G.Node, error) {
		d, err := threeXSquared(x)
		if err != nil {
			return nil, err
		}
		if d, err = G.HadamardProd(d, up); err != nil {
			return nil, err
		}
		return G.Mul(d, G.NewConstant(k))
	}
}

// matmul is y = A B for square matrices; transposeA makes dA = (up B^T)^T,
// a transposition bug that shapes cannot reveal.
func matmul(transposeA bool) *fakeOp {
	return &fakeOp{name: fmt.Sprintf("matmul(transposeA=%v)", transposeA), arity: 2,
		shape: func(in ...tensor.Shape) tensor.Shape { return tensor.Shape{in[0][0], in[1][1]} },
		do: func(in ...*tensor.Dense) *tensor.Dense {
			out, err := tensor.MatMul(in[0], in[1])
			if err != nil {
				panic(err)
			}
			return out.(*tensor.Dense)
		},
		diff: func(in G.Nodes, _, up *G.Node) (G.Nodes, error) {
			bt, _ := G.Transpose(in[1])
			at, _ := G.Transpose(in[0])
			da, err := G.Mul(up, bt)
			if err != nil {
				return nil, err
			}
			if transposeA {
				if da, err = G.Transpose(da); err != nil {
					return nil, err
				}
			}
			db, err := G.Mul(at, up)
			return G.Nodes{da, db}, err
		}}
}

// fakeSpec wraps op as a registry spec (not registered) over inputs.
func fakeSpec(op *fakeOp, inputs ...ops.Input) *ops.Spec {
	return &ops.Spec{Name: op.name, Family: "test", Forward: "-", Gradient: "-",
		Build: func(n []*G.Node, _ []float64) (*G.Node, error) {
			return G.ApplyOp(op, n...)
		},
		MinNodes: op.arity, MaxNodes: op.arity,
		Example: ops.Example{Inputs: inputs},
		Dtypes:  []tensor.Dtype{tensor.Float64}, TwiceDifferentiable: true}
}

func realInput(name string, shape ...int) ops.Input {
	return ops.Input{Name: name, Shape: shape, Domain: ops.Real}
}
