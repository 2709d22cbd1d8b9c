package data

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/safetensors"
)

// This file holds the small tensor helpers the package is built on. Every
// tensor the package creates is contiguous, row-major and owns its backing
// slice, so the typed accessors (Float64s, Int64s, ...) see exactly
// Shape().TotalSize() values in order.

// float is the set of element types a Dataset's X may hold.
type float interface{ ~float32 | ~float64 }

// maxElements bounds the size of any tensor this package allocates from a
// caller's or a file's numbers (2^31 values, 16 GiB of float64).
const maxElements = 1 << 31

// newDense returns a zeroed, contiguous tensor of dtype dt and the given shape.
func newDense(dt tensor.Dtype, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
}

// denseF64 wraps data (not copied) as a float64 tensor of the given shape.
func denseF64(data []float64, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// denseI64 wraps labels (not copied) as an int64 tensor of shape [len(labels)].
func denseI64(labels []int64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(labels)), tensor.WithBacking(labels))
}

// checkSize returns an error unless the product of dims is positive and at
// most maxElements; it never overflows.
func checkSize(what string, dims ...int) (int, error) {
	total := 1
	for _, d := range dims {
		if d <= 0 {
			return 0, errors.Errorf("data: %s: size %v must be positive", what, dims)
		}
		if total > maxElements/d {
			return 0, errors.Errorf("data: %s: size %v exceeds %d values", what, dims, maxElements)
		}
		total *= d
	}
	return total, nil
}

// contiguous returns t itself when it owns a contiguous backing array and a
// materialized copy when it is a view.
func contiguous(t *tensor.Dense) *tensor.Dense {
	if !t.IsView() && !t.RequiresIterator() && t.DataSize() == t.Shape().TotalSize() {
		return t
	}
	if m, ok := t.Materialize().(*tensor.Dense); ok {
		return m
	}
	return t.Clone().(*tensor.Dense)
}

// isFloatDtype reports whether dt is float32 or float64.
func isFloatDtype(dt tensor.Dtype) bool { return dt == tensor.Float64 || dt == tensor.Float32 }

// float64sOf returns the values of a float32 or float64 tensor as float64: the
// backing slice itself for float64 (aliased), a converted copy for float32.
func float64sOf(t *tensor.Dense) []float64 {
	if t.Dtype() == tensor.Float64 {
		return t.Float64s()
	}
	return toF64(t.Float32s())
}

// toF64 converts a slice of any numeric element type to a new []float64.
func toF64[T float | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8](src []T) []float64 {
	dst := make([]float64, len(src))
	for i, v := range src {
		dst[i] = float64(v)
	}
	return dst
}

// convertFloat returns a new tensor of float dtype dt (float32 or float64)
// holding t's values; t may have any numeric dtype this package reads.
// The values are converted by safetensors.AsFloat64, which copies them
// in row-major order whatever t's layout.
func convertFloat(t *tensor.Dense, dt tensor.Dtype) (*tensor.Dense, error) {
	switch t.Dtype() {
	case tensor.Float64, tensor.Float32, tensor.Int64, tensor.Int32, tensor.Int16, tensor.Int8, tensor.Uint8:
	default:
		return nil, errors.Errorf("data: cannot convert dtype %v to %v", t.Dtype(), dt)
	}
	f, err := safetensors.AsFloat64(t)
	if err != nil {
		return nil, errors.Wrap(err, "data")
	}
	return fromF64(f.Float64s(), dt, t.Shape().Clone()...)
}

// fromF64 wraps vals as a float64 tensor, or copies them into a float32 one.
func fromF64(vals []float64, dt tensor.Dtype, shape ...int) (*tensor.Dense, error) {
	switch dt {
	case tensor.Float64:
		return denseF64(vals, shape...), nil
	case tensor.Float32:
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f)), nil
	}
	return nil, errors.Errorf("data: dtype %v is not float32 or float64", dt)
}

// gatherRows copies rows idx of src (rows of rowLen values) into dst in order.
func gatherRows[T any](dst, src []T, idx []int, rowLen int) {
	for i, r := range idx {
		copy(dst[i*rowLen:(i+1)*rowLen], src[r*rowLen:(r+1)*rowLen])
	}
}

// gatherDense copies the rows idx (first axis) of src into dst, which must
// have src's dtype and room for len(idx) rows. It does not allocate.
func gatherDense(dst, src *tensor.Dense, idx []int) {
	rowLen := src.Shape().TotalSize() / src.Shape()[0]
	switch src.Dtype() {
	case tensor.Float64:
		gatherRows(dst.Float64s(), src.Float64s(), idx, rowLen)
	case tensor.Float32:
		gatherRows(dst.Float32s(), src.Float32s(), idx, rowLen)
	case tensor.Int64:
		gatherRows(dst.Int64s(), src.Int64s(), idx, rowLen)
	}
}

// rowsOf returns a new tensor holding rows idx of t, in that order.
func rowsOf(t *tensor.Dense, idx []int) *tensor.Dense {
	shape := t.Shape().Clone()
	shape[0] = len(idx)
	dst := newDense(t.Dtype(), shape...)
	gatherDense(dst, t, idx)
	return dst
}

// isFinite reports whether v is neither NaN nor ±Inf.
func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// firstNonFinite returns the index of the first NaN or ±Inf in vals, or -1.
func firstNonFinite[T float](vals []T) int {
	for i, v := range vals {
		if !isFinite(float64(v)) {
			return i
		}
	}
	return -1
}
