package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/symgrad/symgrad/ops/kernels"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// expand repeats x (of shape `to` without `axis`) along axis to shape to.
func expand(x *G.Node, axis int, to tensor.Shape) (*G.Node, error) {
	out, err := Apply(&expandOp{axis: axis, to: to.Clone()}, x)
	return out, errors.Wrapf(err, "expanding %s %v along %d to %v", x.Name(), x.Shape(), axis, to)
}

// expandOp is the broadcast out[o, k, i] = x[o, i] along one axis. Its
// gradient is Σ_axis g, Gorgonia's Sum (checked by the sum registry entry).
//
// symgrad uses it instead of Gorgonia's Broadcast* ops, which allow at most
// 4 axes and build a Reshape (an aliasing view) and a chain of Repeats.
type expandOp struct {
	unaryBase
	axis int
	to   tensor.Shape
}

func (op *expandOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(typeOfDims(op.to.Dims()-1, a), typeOfDims(op.to.Dims(), a))
}
func (op *expandOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.to.Clone(), nil }
func (op *expandOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	outer, n, inner := kernels.AxisLayout(op.to, op.axis)
	res := make([]float64, outer*n*inner)
	for o := 0; o < outer; o++ {
		for k := 0; k < n; k++ {
			copy(res[(o*n+k)*inner:(o*n+k+1)*inner], x[o*inner:(o+1)*inner])
		}
	}
	return valueOf(res, op.to, dtypeOf(vs[0]))
}
func (op *expandOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *expandOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindExpand is the kind of the broadcast expand along Identity.Axis.
	KindExpand = NewKind("expand")
)

// Identity is KindExpand.
func (op *expandOp) Identity() Identity { return Identity{Kind: KindExpand, Axis: op.axis} }

func (op *expandOp) String() string { return fmt.Sprintf("expand(axis=%d to %v)", op.axis, op.to) }

// SymDiff is dL/dx = Σ_axis g.
func (op *expandOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	s, err := G.Sum(g, op.axis)
	return G.Nodes{s}, err
}

// float64sOf returns a value's elements as float64 (a copy for float32).
func float64sOf(v G.Value) ([]float64, error) {
	switch x := v.(type) {
	case *G.F64:
		return []float64{float64(*x)}, nil
	case *G.F32:
		return []float64{float64(*x)}, nil
	case tensor.Tensor:
		d, err := dense(x)
		if err != nil {
			return nil, err
		}
		switch d.Dtype() {
		case tensor.Float64:
			return d.Float64s(), nil
		case tensor.Float32:
			f := d.Float32s()
			out := make([]float64, len(f))
			for i, e := range f {
				out[i] = float64(e)
			}
			return out, nil
		}
		return nil, errors.Errorf("unsupported dtype %v", d.Dtype())
	}
	return nil, errors.Errorf("unsupported value %T", v)
}

// dtypeOf is a value's dtype.
func dtypeOf(v G.Value) tensor.Dtype { return v.Dtype() }

// valueOf builds a value of dtype dt from float64 data: a scalar for an
// empty shape, else a dense tensor.
func valueOf(data []float64, shape tensor.Shape, dt tensor.Dtype) (G.Value, error) {
	if len(shape) == 0 {
		if dt == tensor.Float32 {
			return G.NewF32(float32(data[0])), nil
		}
		return G.NewF64(data[0]), nil
	}
	switch dt {
	case tensor.Float64:
		return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(data)), nil
	case tensor.Float32:
		f := make([]float32, len(data))
		for i, e := range data {
			f[i] = float32(e)
		}
		return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(f)), nil
	}
	return nil, errors.Errorf("unsupported dtype %v", dt)
}
