package ops

import (
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// shapedUnaryOp is a one-input op whose output shape follows from its
// input's and that computes into a preallocated output: inferUnary and
// doUnary give it InferShape and Do.
type shapedUnaryOp interface {
	fmt.Stringer
	outShape(in tensor.Shape) (tensor.Shape, error)
	UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error)
}

// inferUnary is InferShape for a shapedUnaryOp.
func inferUnary(op shapedUnaryOp, in []G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, errors.Errorf("%v: expected a shape, got %T", op, in[0])
	}
	return op.outShape(s)
}

// doUnary is Do for a shapedUnaryOp: it allocates the output and computes
// into it.
func doUnary(op shapedUnaryOp, vs []G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	s, err := op.outShape(vs[0].Shape())
	if err != nil {
		return nil, err
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(s...)), vs...)
}
