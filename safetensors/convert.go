package safetensors

import (
	"fmt"
	"reflect"
	"slices"

	"gorgonia.org/tensor"
)

// rowMajor returns the elements of t as a fresh or shared []T (T the Go type
// of t's dtype) of length t.Shape().TotalSize(), in row-major (C) order.
//
// A 0-d tensor's Data() is the element itself, so it is wrapped in a
// one-element slice; an empty tensor's Data() panics in tensor v0.9.24, so it
// is not called. A plain row-major tensor's backing slice is shared; views
// and transposes are materialized; column-major tensors are copied element
// by element.
func rowMajor(t *tensor.Dense) (any, error) {
	typ := reflect.SliceOf(t.Dtype().Type)
	n := t.Shape().TotalSize()
	if n > 1 && t.IsMaterializable() && t.DataOrder().IsRowMajor() {
		if m, ok := t.Materialize().(*tensor.Dense); ok && m.DataOrder().IsRowMajor() {
			t = m // a row-major copy of the view or transpose
		}
	}
	switch {
	case t.Dims() == 0:
		s := reflect.MakeSlice(typ, 1, 1)
		s.Index(0).Set(reflect.ValueOf(t.Data()))
		return s.Interface(), nil
	case n == 0:
		return reflect.MakeSlice(typ, 0, 0).Interface(), nil
	case !t.IsMaterializable() && t.DataOrder().IsRowMajor():
		s := reflect.ValueOf(t.Data())
		if s.Len() < n {
			return nil, fmt.Errorf("backing has %d elements, shape %v needs %d", s.Len(), t.Shape(), n)
		}
		return s.Slice(0, n).Interface(), nil
	}
	s := reflect.MakeSlice(typ, n, n)
	shape := []int(t.Shape())
	coords := make([]int, len(shape))
	for i := range n {
		v, err := t.At(coords...)
		if err != nil {
			return nil, err
		}
		s.Index(i).Set(reflect.ValueOf(v))
		for d := len(coords) - 1; d >= 0; d-- { // next index, last axis fastest
			if coords[d]++; coords[d] < shape[d] {
				break
			}
			coords[d] = 0
		}
	}
	return s.Interface(), nil
}

// first returns vals[0] for vals a non-empty []T, typed as T.
func first(vals any) any { return reflect.ValueOf(vals).Index(0).Interface() }

// reflectLen returns len(vals) for vals a []T.
func reflectLen(vals any) int { return reflect.ValueOf(vals).Len() }

// reflectTypeName names the type of v, for error messages.
func reflectTypeName(v any) string { return reflect.TypeOf(v).String() }

// AsFloat64 returns a new Float64 tensor with the shape and values of t, for
// comparing values whatever the dtype: floats widen exactly, integers convert
// (exactly up to 2^53 in magnitude), Bool becomes 0 or 1. The result never
// shares memory with t, so it may be modified freely. 0-d and empty tensors
// keep their shape.
func AsFloat64(t *tensor.Dense) (out *tensor.Dense, err error) {
	if t == nil {
		return nil, &Error{Op: "convert", Err: fmt.Errorf("tensor is nil")}
	}
	err = guard("", func() error {
		vals, err := rowMajor(t)
		if err != nil {
			return err
		}
		f, err := toFloat64(vals)
		if err != nil {
			return err
		}
		out = build(tensor.Float64, slices.Clone([]int(t.Shape())), f)
		return nil
	})
	return out, at(err, "convert", "")
}

// toFloat64 converts vals, a []T of a supported type, to a new []float64.
func toFloat64(vals any) ([]float64, error) {
	switch v := vals.(type) {
	case []float64:
		return slices.Clone(v), nil
	case []float32:
		return widen(v), nil
	case []int64:
		return widen(v), nil
	case []int32:
		return widen(v), nil
	case []int16:
		return widen(v), nil
	case []int8:
		return widen(v), nil
	case []uint64:
		return widen(v), nil
	case []uint32:
		return widen(v), nil
	case []uint16:
		return widen(v), nil
	case []uint8:
		return widen(v), nil
	case []int:
		return widen(v), nil
	case []bool:
		out := make([]float64, len(v))
		for i, b := range v {
			if b {
				out[i] = 1
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("cannot convert %s to float64", reflectTypeName(vals))
}

type number interface {
	~float32 | ~float64 | ~int | ~int8 | ~int16 | ~int32 | ~int64 |
		~uint8 | ~uint16 | ~uint32 | ~uint64
}

func widen[T number](v []T) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
