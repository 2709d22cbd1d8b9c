package compiler

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// elementwise is the part of G.Op the test ops share: one input, an
// output of its type and shape, computed into a fresh value (no pointer
// returned, no extern call, no input overwritten). Each op embeds it.
type elementwise struct{}

func (elementwise) Arity() int { return 1 }
func (elementwise) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (elementwise) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (elementwise) ReturnsPtr() bool     { return false }
func (elementwise) CallsExtern() bool    { return false }
func (elementwise) OverwritesInput() int { return -1 }

// scaleOp multiplies its input by k in training mode and by 1 in evaluation
// mode, like a stripped-down dropout. Its panic fields let tests provoke
// the panics Gorgonia's own ops raise.
type scaleOp struct {
	elementwise
	k           float64
	training    bool
	panicDo     bool
	panicDiff   bool
	id          int
	calledModes []bool
}

func (op *scaleOp) SetTraining(t bool) error { op.training = t; return nil }
func (op *scaleOp) String() string           { return fmt.Sprintf("scale%d(%g)", op.id, op.k) }
func (op *scaleOp) WriteHash(h hash.Hash)    { fmt.Fprint(h, op.String()) }
func (op *scaleOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op *scaleOp) factor() float64 {
	if op.training {
		return op.k
	}
	return 1
}

func (op *scaleOp) Do(in ...G.Value) (G.Value, error) {
	if op.panicDo {
		panic("scaleOp: Do exploded")
	}
	op.calledModes = append(op.calledModes, op.training)
	x := in[0].(*tensor.Dense)
	return x.MulScalar(op.factor(), true)
}

func (op *scaleOp) DiffWRT(int) []bool { return []bool{true} }

func (op *scaleOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if op.panicDiff {
		panic("scaleOp: no gradient")
	}
	d, err := G.ApplyOp(op, grad)
	return G.Nodes{d}, err
}
