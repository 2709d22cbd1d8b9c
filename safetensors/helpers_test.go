package safetensors

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
)

// encode is Encode to a byte slice, failing the test on error.
func encode(t *testing.T, tensors map[string]*tensor.Dense, md map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, tensors, md); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return buf.Bytes()
}

// elements returns the elements of d in row-major order as a []T, for
// comparing: floats are turned into their bits so that NaNs compare.
func elements(t *testing.T, d *tensor.Dense) any {
	t.Helper()
	vals, err := rowMajor(d)
	if err != nil {
		t.Fatalf("rowMajor: %v", err)
	}
	if b := floatdense.Bits(vals); b != nil {
		return b
	}
	return vals
}

// sameTensor fails unless got and want have the same dtype, shape and
// element bits.
func sameTensor(t *testing.T, name string, got, want *tensor.Dense) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: missing", name)
	}
	if got.Dtype() != want.Dtype() {
		t.Errorf("%s: dtype %v, want %v", name, got.Dtype(), want.Dtype())
	}
	if !slices.Equal([]int(got.Shape()), []int(want.Shape())) || got.Dims() != want.Dims() {
		t.Errorf("%s: shape %v (dims %d), want %v (dims %d)", name, got.Shape(), got.Dims(), want.Shape(), want.Dims())
		return
	}
	if g, w := elements(t, got), elements(t, want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s: elements %v, want %v", name, g, w)
	}
}

// asError checks that err is an *Error and returns it.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *safetensors.Error", err, err)
	}
	return e
}

// le64 and friends build little-endian bytes by hand, independently of the
// package's encoder.
func le64(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		b = append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24), byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56))
	}
	return b
}

func le32(vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	}
	return b
}

func le16(vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = append(b, byte(v), byte(v>>8))
	}
	return b
}

func f32s(vs ...float32) []byte {
	var b []byte
	for _, v := range vs {
		b = append(b, le32(math.Float32bits(v))...)
	}
	return b
}

func f64s(vs ...float64) []byte {
	var b []byte
	for _, v := range vs {
		b = append(b, le64(math.Float64bits(v))...)
	}
	return b
}

// rawFile assembles a file from a header string (used as is, no padding)
// and data.
func rawFile(header string, data ...[]byte) []byte {
	b := le64(uint64(len(header)))
	b = append(b, header...)
	for _, d := range data {
		b = append(b, d...)
	}
	return b
}
