package ops

import (
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops/kernels"
)

// Preallocated outputs for the axis ops expand and logsumexp (the
// broadcasts and the softmax of attention and layer norms), so that the
// planned executor runs them without allocating. Each computes what its Do
// computes, in the same order and precision (compiler checks the two bit
// for bit on the first run).

var (
	_ G.UsePreallocDoer = (*expandOp)(nil)
	_ G.UsePreallocDoer = (*lseOp)(nil)
)

// UsePreallocDo writes x repeated along the op's axis into prealloc.
func (op *expandOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	x, y, _, err := matrices("expand", vs[0], prealloc)
	if err != nil {
		return nil, err
	}
	outer, n, inner := axisLayout(op.to, op.axis)
	if x.DataSize() != outer*inner || y.DataSize() != outer*n*inner {
		return nil, errors.Errorf("%v: input %v, output %v", op, x.Shape(), y.Shape())
	}
	if x.Dtype() == tensor.Float64 {
		expandInto(floatsOrNil[float64](y), floatsOrNil[float64](x), outer, n, inner)
	} else {
		expandInto(floatsOrNil[float32](y), floatsOrNil[float32](x), outer, n, inner)
	}
	return prealloc, nil
}

// expandInto is y[o, k, i] = x[o, i].
func expandInto[T kernels.Float](y, x []T, outer, n, inner int) {
	for o := 0; o < outer; o++ {
		for k := 0; k < n; k++ {
			copy(y[(o*n+k)*inner:(o*n+k+1)*inner], x[o*inner:(o+1)*inner])
		}
	}
}

// UsePreallocDo writes logsumexp along the op's axis into prealloc.
func (op *lseOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	x, y, _, err := matrices("logsumexp", vs[0], prealloc)
	if err != nil {
		return nil, err
	}
	outer, n, inner := axisLayout(op.shape, op.axis)
	if x.DataSize() != outer*n*inner || y.DataSize() != outer*inner {
		return nil, errors.Errorf("%v: input %v, output %v", op, x.Shape(), y.Shape())
	}
	if x.Dtype() == tensor.Float64 {
		lseInto(floatsOrNil[float64](y), floatsOrNil[float64](x), outer, n, inner)
	} else {
		lseInto(floatsOrNil[float32](y), floatsOrNil[float32](x), outer, n, inner)
	}
	return prealloc, nil
}

// lseInto is y[o, i] = m + log Σ_k e^(x[o, k, i] - m), m = max_k x[o, k, i],
// in float64 as lseOp.Do computes it.
func lseInto[T kernels.Float](y, x []T, outer, n, inner int) {
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			m := math.Inf(-1)
			for k := 0; k < n; k++ {
				m = math.Max(m, float64(x[(o*n+k)*inner+i]))
			}
			s := 0.0
			for k := 0; k < n; k++ {
				s += math.Exp(float64(x[(o*n+k)*inner+i]) - m)
			}
			y[o*inner+i] = T(m + math.Log(s))
		}
	}
}
