package ops

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Preallocated outputs for symgrad's elementwise ops, so that compiler's
// planned executor runs them without allocating (it checks UsePreallocDo
// against Do bit for bit on the first run).

var _ G.UsePreallocDoer = (*elemOp)(nil)

// UsePreallocDo applies f to every element of vs[0] into prealloc, a
// contiguous tensor of the same shape and dtype, and returns prealloc.
func (op *elemOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%s: expected 1 input, got %d", op.name, len(vs))
	}
	x, y, _, err := matrices(op.name, vs[0], prealloc)
	if err != nil {
		return nil, err
	}
	if x.DataSize() != y.DataSize() {
		return nil, errors.Errorf("%s: output has shape %v, input %v", op.name, y.Shape(), x.Shape())
	}
	if x.Dtype() == tensor.Float64 {
		mapInto(op.name, y.Float64s(), x.Float64s(), op.f)
	} else {
		mapInto(op.name, y.Float32s(), x.Float32s(), op.f)
	}
	return prealloc, nil
}

// mapInto is dst[i] = f(src[i]), computed in float64 as mapValue does.
// ReLU and its derivative, the hot ones, are inlined (with f's exact
// results, NaN included: relu(NaN) = NaN, step(NaN) = 0).
func mapInto[T float32 | float64](name string, dst, src []T, f func(float64) float64) {
	dst = dst[:len(src)]
	switch name {
	case "relu":
		for i, v := range src {
			// Branch-free (random signs mispredict a branch): Go's max
			// gives NaN for NaN and +0 for -0, as relu's f does.
			dst[i] = max(v, 0)
		}
	case "step(0)":
		for i, v := range src {
			if v > 0 {
				dst[i] = 1
			} else {
				dst[i] = 0
			}
		}
	default:
		for i, e := range src {
			dst[i] = T(f(float64(e)))
		}
	}
}

var (
	_ G.UsePreallocDoer = (*ceOp)(nil)
	_ G.UsePreallocDoer = (*ceGradOp)(nil)
)

// preallocClasses checks a class op's two inputs and returns the class
// indices, which must fit shape [B, C].
func preallocClasses(op fmt.Stringer, shape tensor.Shape, vs []G.Value) ([]int64, error) {
	if len(vs) != 2 {
		return nil, errors.Errorf("%v: expected 2 inputs, got %d", op, len(vs))
	}
	cs, err := int64sOf(vs[1], shape[1])
	if err != nil || len(cs) != shape[0] {
		return nil, errors.Errorf("%v: bad class indices (%v)", op, err)
	}
	return cs, nil
}

// UsePreallocDo writes the cross-entropy into the scalar prealloc (*G.F64
// or *G.F32), computed in float64 as Do computes it.
func (op *ceOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	b, c := op.shape[0], op.shape[1]
	cs, err := preallocClasses(op, op.shape, vs)
	if err != nil {
		return nil, err
	}
	x, ok := vs[0].(*tensor.Dense)
	if !ok || x.RequiresIterator() || x.DataSize() != b*c {
		return nil, errors.Errorf("%v: logits must be a contiguous [%d, %d] tensor", op, b, c)
	}
	var total float64
	switch {
	case x.Dtype() == tensor.Float64:
		total = ceTotal(x.Float64s(), cs, c)
	case x.Dtype() == tensor.Float32:
		total = ceTotal(x.Float32s(), cs, c)
	}
	if op.red == Mean {
		total /= float64(b)
	}
	switch out := prealloc.(type) {
	case *G.F64:
		*out = G.F64(total)
	case *G.F32:
		*out = G.F32(float32(total))
	default:
		return nil, errors.Errorf("%v: preallocated value is a %T, want a scalar", op, prealloc)
	}
	return prealloc, nil
}

func ceTotal[T float32 | float64](x []T, cs []int64, c int) float64 {
	total := 0.0
	for i, k := range cs {
		row := x[i*c : (i+1)*c]
		total += rowLSEOf(row) - float64(row[k])
	}
	return total
}

// rowLSEOf is rowLSE over float64 conversions of row's elements.
func rowLSEOf[T float32 | float64](row []T) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, float64(v))
	}
	s := 0.0
	for _, v := range row {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

// UsePreallocDo writes (softmax(x) - onehot(c)) / B into prealloc, computed
// in float64 as Do computes it.
func (op *ceGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	b, c := op.shape[0], op.shape[1]
	cs, err := preallocClasses(op, op.shape, vs)
	if err != nil {
		return nil, err
	}
	x, y, _, err := matrices("crossentropygrad", vs[0], prealloc)
	if err != nil || x.DataSize() != b*c || y.DataSize() != b*c {
		return nil, errors.Errorf("%v: logits and output must be contiguous [%d, %d] tensors (%v)", op, b, c, err)
	}
	scale := 1.0
	if op.red == Mean {
		scale = 1 / float64(b)
	}
	if x.Dtype() == tensor.Float64 {
		ceGradInto(y.Float64s(), x.Float64s(), cs, c, scale)
	} else {
		ceGradInto(y.Float32s(), x.Float32s(), cs, c, scale)
	}
	return prealloc, nil
}

func ceGradInto[T float32 | float64](y, x []T, cs []int64, c int, scale float64) {
	for i, k := range cs {
		row := x[i*c : (i+1)*c]
		lse := rowLSEOf(row)
		for j, v := range row {
			d := math.Exp(float64(v)-lse) * scale
			if j == int(k) {
				d -= scale
			}
			y[i*c+j] = T(d)
		}
	}
}
