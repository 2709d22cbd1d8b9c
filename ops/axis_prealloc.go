package ops

import (
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops/kernels"
	"github.com/symgrad/symgrad/ops/kernels/vmath"
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
	outer, n, inner := kernels.AxisLayout(op.to, op.axis)
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
	if inner == 1 { // along the last axis (softmax's): fill each row
		for o, v := range x[:outer] {
			row := y[o*n : (o+1)*n]
			for k := range row {
				row[k] = v
			}
		}
		return
	}
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
	outer, n, inner := kernels.AxisLayout(op.shape, op.axis)
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
// in float64 (lseOp.Do computes with it too). Along the last axis (inner
// 1, softmax's) a row's exponentials go through vmath.Exp, a chunk at a
// time; the sum runs in k order either way.
func lseInto[T kernels.Float](y, x []T, outer, n, inner int) {
	var buf [lseChunk]float64
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			m := math.Inf(-1)
			for k := 0; k < n; k++ {
				m = math.Max(m, float64(x[(o*n+k)*inner+i]))
			}
			s := 0.0
			if inner == 1 {
				row := x[o*n : (o+1)*n]
				for lo := 0; lo < n; lo += lseChunk {
					b := buf[:min(lseChunk, n-lo)]
					for k := range b {
						b[k] = float64(row[lo+k]) - m
					}
					vmath.Exp(b, b)
					for _, e := range b {
						s += e
					}
				}
			} else {
				for k := 0; k < n; k++ {
					s += math.Exp(float64(x[(o*n+k)*inner+i]) - m)
				}
			}
			y[o*inner+i] = T(m + math.Log(s))
		}
	}
}

// lseChunk is how many exponentials of a row lseInto takes at a time.
const lseChunk = 256
