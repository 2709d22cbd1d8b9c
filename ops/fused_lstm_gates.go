package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops/kernels"
)

// gatesOp is LSTMGates (grad false: a -> [i f g o]) or its gradient (grad
// true: ([i f g o], G) -> da); with allTanh, every block is tanh (the
// tanh(c') of LSTMCellH, of any shape).
type gatesOp struct {
	opBase
	grad, allTanh bool
}

var (
	_ G.SDOp            = (*gatesOp)(nil)
	_ G.UsePreallocDoer = (*gatesOp)(nil)
)

func (op *gatesOp) Arity() int {
	if op.grad {
		return 2
	}
	return 1
}
func (op *gatesOp) Type() hm.Type {
	m := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	if op.grad {
		return hm.NewFnType(m, m, m)
	}
	return hm.NewFnType(m, m)
}
func (op *gatesOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != op.Arity() {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, op.Arity(), len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || (!op.allTanh && (len(s) != 2 || s[1]%4 != 0)) {
		return nil, errors.Errorf("%v: input %v, want [B, 4H]", op, in[0])
	}
	return s.Clone(), nil
}
func (op *gatesOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != op.Arity() {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, op.Arity(), len(vs))
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(vs[0].Shape().Clone()...)), vs...)
}
func (op *gatesOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != op.Arity() {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, op.Arity(), len(vs))
	}
	x, y, _, err := matrices("lstmgates", vs[0], prealloc)
	if err != nil {
		return nil, err
	}
	s := x.Shape()
	if (!op.allTanh && (len(s) != 2 || s[1]%4 != 0)) || y.DataSize() != x.DataSize() {
		return nil, errors.Errorf("%v: input %v and output %v, want [B, 4H] both", op, s, y.Shape())
	}
	var g *tensor.Dense
	if op.grad {
		if _, g, _, err = matrices("lstmgates'", vs[0], vs[1]); err != nil || g.DataSize() != x.DataSize() {
			return nil, errors.Errorf("%v: gradient does not fit %v (%v)", op, s, err)
		}
	}
	h := x.DataSize() // allTanh: one block, all tanh
	if !op.allTanh {
		h = s[1] / 4
	}
	if x.Dtype() == tensor.Float64 {
		kernels.LSTMGates(h, op.allTanh, x.Float64s(), floatsOrNil[float64](g), y.Float64s())
	} else {
		kernels.LSTMGates(h, op.allTanh, x.Float32s(), floatsOrNil[float32](g), y.Float32s())
	}
	return prealloc, nil
}

func (op *gatesOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *gatesOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindLSTMGates is the kind of LSTMGates and its gradient.
	KindLSTMGates = NewKind("lstmgates")
)

// Identity is KindLSTMGates.
func (op *gatesOp) Identity() Identity { return Identity{Kind: KindLSTMGates} }

func (op *gatesOp) DiffWRT(n int) []bool { return []bool{true, true}[:n] }
func (op *gatesOp) String() string {
	name := "lstmgates"
	if op.allTanh {
		name = "tanh_out"
	}
	if op.grad {
		return name + "'"
	}
	return name
}

// SymDiff is da = lstmgates'(y, G), y the output.
func (op *gatesOp) SymDiff(_ G.Nodes, out, g *G.Node) (G.Nodes, error) {
	if op.grad {
		return nil, errors.New("lstmgates: second derivatives are not supported")
	}
	d, err := Apply(&gatesOp{grad: true, allTanh: op.allTanh}, out, g)
	return G.Nodes{d}, errors.Wrap(err, "gradient of lstmgates")
}
