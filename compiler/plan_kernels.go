package compiler

import (
	"math"
	"unsafe"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// Native kernels: allocation-free implementations of Gorgonia's
// elementwise arithmetic and full sums, which the plan runs instead of the
// ops' own Do/UsePreallocDo (those allocate option closures, headers and
// scalars on every call). A kernel is used as a preallocated path, so the
// plan checks it against the op's Do bit for bit on the first run and
// falls back to Do when they differ: a kernel can be missing, never wrong.

// nativeKernel is a G.UsePreallocDoer around a kernel function.
type nativeKernel struct {
	name string
	f    func(out G.Value, in []G.Value) error
}

func (k *nativeKernel) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if err := k.f(prealloc, in); err != nil {
		return nil, errors.Wrapf(err, "native %s", k.name)
	}
	return prealloc, nil
}

// kernelFor returns a native kernel for n, or nil.
func kernelFor(n *G.Node) *nativeKernel {
	if dt := n.Dtype(); dt != tensor.Float64 && dt != tensor.Float32 {
		return nil
	}
	id := ops.Identify(n)
	switch k := id.Kind; k {
	case ops.KindAdd, ops.KindSub, ops.KindMul, ops.KindDiv:
		if id.RetSame { // a comparison's flag: never set on arithmetic Gorgonia builds
			return nil
		}
		return &nativeKernel{name: k.String(), f: func(out G.Value, in []G.Value) error { return binaryKernel(k, out, in) }}
	case ops.KindSquare, ops.KindNeg, ops.KindExp, ops.KindLog, ops.KindSqrt, ops.KindAbs:
		return &nativeKernel{name: k.String(), f: func(out G.Value, in []G.Value) error { return unaryKernel(k, out, in) }}
	case ops.KindSum:
		if n.IsScalar() {
			return &nativeKernel{name: "sum", f: sumKernel}
		}
	}
	return nil
}

// floats64 returns v's float64 elements without allocating (a scalar as
// a slice of one), or ok false for a dtype or value the kernels do not handle.
func floats64(v G.Value) ([]float64, bool) {
	switch x := v.(type) {
	case *G.F64:
		return unsafe.Slice((*float64)(x), 1), true
	case *tensor.Dense:
		if x.Dtype() == tensor.Float64 && !x.RequiresIterator() {
			return x.Float64s(), true
		}
	}
	return nil, false
}

// floats32 is floats64 for float32 values.
func floats32(v G.Value) ([]float32, bool) {
	switch x := v.(type) {
	case *G.F32:
		return unsafe.Slice((*float32)(x), 1), true
	case *tensor.Dense:
		if x.Dtype() == tensor.Float32 && !x.RequiresIterator() {
			return x.Float32s(), true
		}
	}
	return nil, false
}

var errKernelInput = errors.New("unsupported operand")

func binaryKernel(sym ops.Kind, out G.Value, in []G.Value) error {
	if len(in) != 2 {
		return errKernelInput
	}
	if o, ok := floats64(out); ok {
		a, ok1 := floats64(in[0])
		b, ok2 := floats64(in[1])
		if !ok1 || !ok2 {
			return errKernelInput
		}
		return binaryElems(sym, o, a, b)
	}
	o, ok := floats32(out)
	a, ok1 := floats32(in[0])
	b, ok2 := floats32(in[1])
	if !ok || !ok1 || !ok2 {
		return errKernelInput
	}
	return binaryElems(sym, o, a, b)
}

// binaryElems is o = a (sym) b elementwise; an operand of one element is a
// scalar broadcast over the other.
func binaryElems[T float32 | float64](sym ops.Kind, o, a, b []T) error {
	n := len(o)
	switch {
	case len(a) == n && len(b) == n:
	case len(a) == n && len(b) == 1:
	case len(a) == 1 && len(b) == n:
	default:
		return errKernelInput
	}
	switch {
	case len(a) == n && len(b) == n:
		a, b = a[:n], b[:n]
		switch sym {
		case ops.KindAdd:
			for i := range o {
				o[i] = a[i] + b[i]
			}
		case ops.KindSub:
			for i := range o {
				o[i] = a[i] - b[i]
			}
		case ops.KindMul:
			for i := range o {
				o[i] = a[i] * b[i]
			}
		case ops.KindDiv:
			for i := range o {
				o[i] = a[i] / b[i]
			}
		}
	case len(b) == 1:
		binaryScalarRight(sym, o, a[:n], b[0])
	default:
		binaryScalarLeft(sym, o, a[0], b[:n])
	}
	return nil
}

func binaryScalarRight[T float32 | float64](sym ops.Kind, o, a []T, s T) {
	switch sym {
	case ops.KindAdd:
		for i := range o {
			o[i] = a[i] + s
		}
	case ops.KindSub:
		for i := range o {
			o[i] = a[i] - s
		}
	case ops.KindMul:
		for i := range o {
			o[i] = a[i] * s
		}
	case ops.KindDiv:
		for i := range o {
			o[i] = a[i] / s
		}
	}
}

func binaryScalarLeft[T float32 | float64](sym ops.Kind, o []T, s T, b []T) {
	switch sym {
	case ops.KindAdd:
		for i := range o {
			o[i] = s + b[i]
		}
	case ops.KindSub:
		for i := range o {
			o[i] = s - b[i]
		}
	case ops.KindMul:
		for i := range o {
			o[i] = s * b[i]
		}
	case ops.KindDiv:
		for i := range o {
			o[i] = s / b[i]
		}
	}
}

func unaryKernel(name ops.Kind, out G.Value, in []G.Value) error {
	if len(in) != 1 {
		return errKernelInput
	}
	if o, ok := floats64(out); ok {
		x, ok := floats64(in[0])
		if !ok || len(x) != len(o) {
			return errKernelInput
		}
		unary64(name, o, x)
		return nil
	}
	o, ok1 := floats32(out)
	x, ok2 := floats32(in[0])
	if !ok1 || !ok2 || len(x) != len(o) {
		return errKernelInput
	}
	unary32(name, o, x)
	return nil
}

func unary64(name ops.Kind, o, x []float64) {
	x = x[:len(o)]
	switch name {
	case ops.KindSquare:
		for i, v := range x {
			o[i] = v * v
		}
	case ops.KindNeg:
		for i, v := range x {
			o[i] = -v
		}
	case ops.KindExp:
		for i, v := range x {
			o[i] = math.Exp(v)
		}
	case ops.KindLog:
		for i, v := range x {
			o[i] = math.Log(v)
		}
	case ops.KindSqrt:
		for i, v := range x {
			o[i] = math.Sqrt(v)
		}
	case ops.KindAbs:
		for i, v := range x {
			o[i] = math.Abs(v)
		}
	}
}

func unary32(name ops.Kind, o, x []float32) {
	x = x[:len(o)]
	switch name {
	case ops.KindSquare:
		for i, v := range x {
			o[i] = v * v
		}
	case ops.KindNeg:
		for i, v := range x {
			o[i] = -v
		}
	default: // Gorgonia's float32 exp/ln/sqrt/abs use chewxy/math32; let Do run them
		for i := range o {
			o[i] = float32(math.NaN())
		}
	}
}

// sumKernel is the sum of every element into a scalar, in order.
func sumKernel(out G.Value, in []G.Value) error {
	if len(in) != 1 {
		return errKernelInput
	}
	switch o := out.(type) {
	case *G.F64:
		x, ok := floats64(in[0])
		if !ok {
			return errKernelInput
		}
		var s float64
		for _, v := range x {
			s += v
		}
		*o = G.F64(s)
		return nil
	case *G.F32:
		x, ok := floats32(in[0])
		if !ok {
			return errKernelInput
		}
		var s float32
		for _, v := range x {
			s += v
		}
		*o = G.F32(s)
		return nil
	}
	return errKernelInput
}

// staticKinds are the Gorgonia ops that are pure functions of their
// inputs (no randomness, no train/eval switch, no state): a node of one of
// these kinds whose inputs are all constant is constant too.
func staticKind(k ops.Kind) bool {
	switch {
	case k.Binary(), k.Unary(), k.Product():
		return true
	}
	switch k {
	case ops.KindSum, ops.KindReshapeView, ops.KindRepeat, ops.KindTranspose, ops.KindSizeOf:
		return true
	}
	return false
}

// isStatic reports whether n's value depends on constants and shapes only,
// so the plan computes it once (the gradient seed of a mean, 1/N, and its
// reshapes and repeats; SizeOf nodes, which read only their input's shape).
// static holds the answer for the nodes before n in execution order.
func (p *plan) isStatic(n *G.Node, index map[*G.Node]int, static []bool) bool {
	kind := ops.KindOf(n)
	if !staticKind(kind) {
		return false
	}
	if kind == ops.KindSizeOf {
		return true
	}
	in := children(n)
	if len(in) == 0 {
		return false
	}
	for _, c := range in {
		if !static[index[c]] {
			return false
		}
	}
	return true
}
