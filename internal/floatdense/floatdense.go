// Package floatdense holds what symgrad's packages share for dense tensors of
// either float dtype (float64 or float32): building one from float64
// values, reading and filling its elements through float64 (or reading
// them as float32) or as bits, copying one into another, and turning a
// flat index into coordinates. Everything but Copy allocates or calls
// through a function value per element, so it serves setup, checks and
// tests, not hot loops; Copy is a single copy, which preallocated ops use.
package floatdense

import (
	"math"

	"gorgonia.org/tensor"
)

// Of returns a tensor of the given shape holding v in dtype dt: v itself
// for Float64, a float32 copy for Float32 (any other dtype is Float64).
func Of(dt tensor.Dtype, shape []int, v []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(convert[float32](v)))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// Float64s returns the elements of data, a tensor's []float64 or
// []float32, as float64: the slice itself for []float64 (aliased), a
// converted copy for []float32, nil for anything else.
func Float64s(data any) []float64 { return floats[float64](data) }

// Float32s returns the elements of data, a []float32 or []float64, as
// float32: the slice itself for []float32 (aliased), a rounded copy for
// []float64, nil for anything else. Tests use it to run a float64 case in
// float32.
func Float32s(data any) []float32 { return floats[float32](data) }

// floats is Float64s and Float32s: data itself when it is a []T, a
// converted copy of a []float64 or []float32, nil for anything else.
func floats[T float32 | float64](data any) []T {
	switch d := data.(type) {
	case []T: // first, so that it wins over the case T instantiates below
		return d
	case []float64:
		return convert[T](d)
	case []float32:
		return convert[T](d)
	}
	return nil
}

// Fill sets the elements of data, a tensor's []float64 or []float32, in
// order to successive values of next (rounded for float32); other data is
// left alone. Filling a weight with rng.NormFloat64 draws the same numbers
// in either dtype.
func Fill(data any, next func() float64) {
	switch d := data.(type) {
	case []float64:
		fill(d, next)
	case []float32:
		fill(d, next)
	}
}

// Bits returns the bit patterns of the elements of data, a tensor's
// []float64 or []float32 (widened to 64 bits), for comparing floats bit
// for bit, NaNs and signed zeros included; nil for anything else.
func Bits(data any) []uint64 {
	switch d := data.(type) {
	case []float64:
		return bitsOf(d, math.Float64bits)
	case []float32:
		return bitsOf(d, func(x float32) uint64 { return uint64(math.Float32bits(x)) })
	}
	return nil
}

func bitsOf[T float32 | float64](d []T, bits func(T) uint64) []uint64 {
	out := make([]uint64, len(d))
	for i, x := range d {
		out[i] = bits(x)
	}
	return out
}

func fill[T float32 | float64](d []T, next func() float64) {
	for i := range d {
		d[i] = T(next())
	}
}

func convert[To, From float32 | float64](v []From) []To {
	out := make([]To, len(v))
	for i, x := range v {
		out[i] = To(x)
	}
	return out
}

// Unravel turns the flat row-major index i into coordinates of shape (nil
// for a 0-d shape).
func Unravel(i int, shape []int) []int {
	if len(shape) == 0 {
		return nil
	}
	at := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		at[k] = i % shape[k]
		i /= shape[k]
	}
	return at
}

// Copy copies src's elements into dst (as many as the shorter holds) and
// reports whether both have one float dtype; it copies nothing otherwise.
// It is a single copy, no per-element conversion, so preallocated ops use it.
func Copy(dst, src *tensor.Dense) bool {
	switch {
	case dst.Dtype() != src.Dtype():
		return false
	case dst.Dtype() == tensor.Float64:
		copy(dst.Float64s(), src.Float64s())
	case dst.Dtype() == tensor.Float32:
		copy(dst.Float32s(), src.Float32s())
	default:
		return false
	}
	return true
}
