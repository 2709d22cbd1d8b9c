package safetensors

import (
	"encoding/binary"
	"math"
	"strings"

	"gorgonia.org/tensor"
)

// dtype describes one safetensors element type.
type dtype struct {
	name string       // as written in the header: "F64", "BOOL", ...
	size int          // bytes per element
	rank int          // position in safetensors' Dtype enum; higher is written first
	mem  tensor.Dtype // dtype of the *tensor.Dense that Read returns
	// writable reports whether a *tensor.Dense of dtype mem is written as this
	// dtype. F16 and BF16 are read into Float32 and never written.
	writable bool
}

// dtypes lists the supported element types. rank follows the order of the Rust
// crate's Dtype enum (BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32,
// U32, F32, F64, I64, U64), which its writer sorts by, descending, so that
// every tensor's data is aligned to its element size.
var dtypes = []dtype{
	{"BOOL", 1, 0, tensor.Bool, true},
	{"U8", 1, 1, tensor.Uint8, true},
	{"I8", 1, 2, tensor.Int8, true},
	{"I16", 2, 5, tensor.Int16, true},
	{"U16", 2, 6, tensor.Uint16, true},
	{"F16", 2, 7, tensor.Float32, false},
	{"BF16", 2, 8, tensor.Float32, false},
	{"I32", 4, 9, tensor.Int32, true},
	{"U32", 4, 10, tensor.Uint32, true},
	{"F32", 4, 11, tensor.Float32, true},
	{"F64", 8, 12, tensor.Float64, true},
	{"I64", 8, 13, tensor.Int64, true},
	{"U64", 8, 14, tensor.Uint64, true},
}

// dtypeByName returns the dtype called name in a header, or nil.
func dtypeByName(name string) *dtype {
	for i := range dtypes {
		if dtypes[i].name == name {
			return &dtypes[i]
		}
	}
	return nil
}

// dtypeFor returns the dtype that a tensor of in-memory dtype dt is written as,
// or nil if dt cannot be written.
func dtypeFor(dt tensor.Dtype) *dtype {
	for i := range dtypes {
		if dtypes[i].writable && dtypes[i].mem == dt {
			return &dtypes[i]
		}
	}
	return nil
}

// dtypeNames lists the supported header dtype names, for error messages.
func dtypeNames() string {
	names := make([]string, len(dtypes))
	for i, d := range dtypes {
		names[i] = d.name
	}
	return strings.Join(names, ", ")
}

// writableNames lists the tensor dtypes that Write accepts, for error messages.
func writableNames() string {
	var names []string
	for _, d := range dtypes {
		if d.writable {
			names = append(names, d.mem.String())
		}
	}
	return strings.Join(names, ", ")
}

// le is shorthand for the byte order of every safetensors file.
var le = binary.LittleEndian

// halfToFloat32 converts an IEEE 754 binary16 value to float32, exactly:
// value = (-1)^s * 2^(e-15) * (1 + m/1024) for 0 < e < 31,
// (-1)^s * 2^-14 * (m/1024) for e = 0 (subnormal), Inf or NaN for e = 31.
// NaN payloads are kept (shifted into the top of the float32 mantissa).
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp != 0: // normal: rebias the exponent from 15 to 127
		return math.Float32frombits(sign | (exp+127-15)<<23 | man<<13)
	case man == 0: // signed zero
		return math.Float32frombits(sign)
	}
	// Subnormal: shift the mantissa up until its leading 1 is the implicit
	// bit, lowering the exponent from that of 2^-14 once per shift.
	e := uint32(127 - 14)
	for man&0x400 == 0 {
		man <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (man&0x3ff)<<13)
}

// bfloat16ToFloat32 converts a bfloat16 value (the top half of a float32) to
// float32, exactly.
func bfloat16ToFloat32(b uint16) float32 {
	return math.Float32frombits(uint32(b) << 16)
}
