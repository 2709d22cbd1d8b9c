package kernels

import (
	"math"

	"github.com/chewxy/math32"
)

// Arith is an elementwise binary arithmetic operation.
type Arith uint8

// The arithmetic operations, as Gorgonia's elementwise ops compute them.
const (
	Add Arith = iota // a + b
	Sub              // a - b
	Mul              // a · b
	Div              // a / b
)

// Binary's operand forms, numbered as its assembly kernels take them.
const (
	vecVec    = iota // o = a (op) b
	vecScalar        // b is a scalar
	scalarVec        // a is a scalar
)

// Binary is o = a (op) b elementwise, with an operand of one element a
// scalar broadcast over the other. It reports false, writing nothing, when
// the lengths fit neither form (len(a) and len(b) each len(o) or 1).
// Where the CPU has AVX, generated kernels (binary_amd64.s) compute whole
// blocks of 32 float32s or 16 float64s, bit for bit these loops
// (TestBinaryKernelsAreTheLoops); the loops do the rest.
func Binary[T Float](op Arith, o, a, b []T) bool {
	n := len(o)
	switch {
	case len(a) == n && len(b) == n:
		i0 := binaryBlocks(op, vecVec, o, a, b)
		o, a, b = o[i0:], a[i0:n], b[i0:n]
		switch op {
		case Add:
			for i := range o {
				o[i] = a[i] + b[i]
			}
		case Sub:
			for i := range o {
				o[i] = a[i] - b[i]
			}
		case Mul:
			for i := range o {
				o[i] = a[i] * b[i]
			}
		case Div:
			for i := range o {
				o[i] = a[i] / b[i]
			}
		}
	case len(a) == n && len(b) == 1:
		i0 := binaryBlocks(op, vecScalar, o, a, b)
		binaryScalarRight(op, o[i0:], a[i0:n], b[0])
	case len(a) == 1 && len(b) == n:
		i0 := binaryBlocks(op, scalarVec, o, a, b)
		binaryScalarLeft(op, o[i0:], a[0], b[i0:n])
	default:
		return false
	}
	return true
}

func binaryScalarRight[T Float](op Arith, o, a []T, s T) {
	switch op {
	case Add:
		for i := range o {
			o[i] = a[i] + s
		}
	case Sub:
		for i := range o {
			o[i] = a[i] - s
		}
	case Mul:
		for i := range o {
			o[i] = a[i] * s
		}
	case Div:
		for i := range o {
			o[i] = a[i] / s
		}
	}
}

func binaryScalarLeft[T Float](op Arith, o []T, s T, b []T) {
	switch op {
	case Add:
		for i := range o {
			o[i] = s + b[i]
		}
	case Sub:
		for i := range o {
			o[i] = s - b[i]
		}
	case Mul:
		for i := range o {
			o[i] = s * b[i]
		}
	case Div:
		for i := range o {
			o[i] = s / b[i]
		}
	}
}

// Func is an elementwise unary function.
type Func uint8

// The unary functions.
const (
	Square Func = iota // x·x
	Neg                // -x
	Exp                // eˣ
	Log                // ln x
	Sqrt               // √x
	Abs                // |x|
)

// Unary is o = f(x) elementwise. It reports false, writing nothing, when
// the lengths differ or f is unknown. float32 exp, log, sqrt and abs call
// chewxy/math32, as Gorgonia's tensor package does, so the results are
// Gorgonia's bit for bit.
func Unary[T Float](f Func, o, x []T) bool {
	if len(x) != len(o) {
		return false
	}
	switch f {
	case Square:
		for i, v := range x {
			o[i] = v * v
		}
		return true
	case Neg:
		for i, v := range x {
			o[i] = -v
		}
		return true
	}
	o64, ok := any(o).([]float64)
	if !ok {
		return unary32(f, any(o).([]float32), any(x).([]float32))
	}
	x64 := any(x).([]float64)
	switch f {
	case Exp:
		for i, v := range x64 {
			o64[i] = math.Exp(v)
		}
	case Log:
		for i, v := range x64 {
			o64[i] = math.Log(v)
		}
	case Sqrt:
		for i, v := range x64 {
			o64[i] = math.Sqrt(v)
		}
	case Abs:
		for i, v := range x64 {
			o64[i] = math.Abs(v)
		}
	default:
		return false
	}
	return true
}

// unary32 is Unary's float32 exp, log, sqrt and abs (chewxy/math32's).
func unary32(f Func, o, x []float32) bool {
	var fn func(float32) float32
	switch f {
	case Exp:
		fn = math32.Exp
	case Log:
		fn = math32.Log
	case Sqrt:
		fn = math32.Sqrt
	case Abs:
		fn = math32.Abs
	default:
		return false
	}
	for i, v := range x {
		o[i] = fn(v)
	}
	return true
}

// Sum is the sum of x's elements, added in order from the first (to 0).
func Sum[T Float](x []T) T { return SumFrom(0, x) }

// SumFrom is s + x[0] + x[1] + ..., added in that order.
func SumFrom[T Float](s T, x []T) T {
	for _, v := range x {
		s += v
	}
	return s
}

// Fill sets every element of d to v.
func Fill[T Float](d []T, v T) {
	for i := range d {
		d[i] = v
	}
}
