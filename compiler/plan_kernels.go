package compiler

import (
	"math"
	"reflect"
	"strings"
	"unsafe"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
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

// gorgoniaOpKind returns the type name of n's op when it is one of
// Gorgonia's ("elemBinOp", "sumOp", ...), else "".
func gorgoniaOpKind(op G.Op) string {
	if op == nil {
		return ""
	}
	t := reflect.TypeOf(op)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() != "gorgonia.org/gorgonia" {
		return ""
	}
	return t.Name()
}

// kernelFor returns a native kernel for n, or nil.
func kernelFor(n *G.Node) *nativeKernel {
	if dt := n.Dtype(); dt != tensor.Float64 && dt != tensor.Float32 {
		return nil
	}
	op := n.Op()
	switch gorgoniaOpKind(op) {
	case "elemBinOp":
		sym := strings.Fields(op.String())
		if len(sym) != 2 || sym[1] != "false" { // "true": a comparison returning the operands' type
			return nil
		}
		switch sym[0] {
		case "+", "-", "⊙", "÷":
			s := sym[0]
			return &nativeKernel{name: s, f: func(out G.Value, in []G.Value) error { return binaryKernel(s, out, in) }}
		}
	case "elemUnaryOp":
		switch name := op.String(); name {
		case "square", "neg", "exp", "ln", "sqrt", "abs":
			return &nativeKernel{name: name, f: func(out G.Value, in []G.Value) error { return unaryKernel(name, out, in) }}
		}
	case "sumOp":
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

func binaryKernel(sym string, out G.Value, in []G.Value) error {
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
func binaryElems[T float32 | float64](sym string, o, a, b []T) error {
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
		case "+":
			for i := range o {
				o[i] = a[i] + b[i]
			}
		case "-":
			for i := range o {
				o[i] = a[i] - b[i]
			}
		case "⊙":
			for i := range o {
				o[i] = a[i] * b[i]
			}
		case "÷":
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

func binaryScalarRight[T float32 | float64](sym string, o, a []T, s T) {
	switch sym {
	case "+":
		for i := range o {
			o[i] = a[i] + s
		}
	case "-":
		for i := range o {
			o[i] = a[i] - s
		}
	case "⊙":
		for i := range o {
			o[i] = a[i] * s
		}
	case "÷":
		for i := range o {
			o[i] = a[i] / s
		}
	}
}

func binaryScalarLeft[T float32 | float64](sym string, o []T, s T, b []T) {
	switch sym {
	case "+":
		for i := range o {
			o[i] = s + b[i]
		}
	case "-":
		for i := range o {
			o[i] = s - b[i]
		}
	case "⊙":
		for i := range o {
			o[i] = s * b[i]
		}
	case "÷":
		for i := range o {
			o[i] = s / b[i]
		}
	}
}

func unaryKernel(name string, out G.Value, in []G.Value) error {
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

func unary64(name string, o, x []float64) {
	x = x[:len(o)]
	switch name {
	case "square":
		for i, v := range x {
			o[i] = v * v
		}
	case "neg":
		for i, v := range x {
			o[i] = -v
		}
	case "exp":
		for i, v := range x {
			o[i] = math.Exp(v)
		}
	case "ln":
		for i, v := range x {
			o[i] = math.Log(v)
		}
	case "sqrt":
		for i, v := range x {
			o[i] = math.Sqrt(v)
		}
	case "abs":
		for i, v := range x {
			o[i] = math.Abs(v)
		}
	}
}

func unary32(name string, o, x []float32) {
	x = x[:len(o)]
	switch name {
	case "square":
		for i, v := range x {
			o[i] = v * v
		}
	case "neg":
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
var staticKinds = map[string]bool{
	"elemBinOp": true, "elemUnaryOp": true, "sumOp": true, "reshapeOp": true, "repeatOp": true,
	"transposeOp": true, "linAlgBinOp": true, "sizeOp": true,
}

// isStatic reports whether n's value depends on constants and shapes only,
// so the plan computes it once (the gradient seed of a mean, 1/N, and its
// reshapes and repeats; SizeOf nodes, which read only their input's shape).
// static holds the answer for the nodes before n in execution order.
func (p *plan) isStatic(n *G.Node, index map[*G.Node]int, static []bool) bool {
	kind := gorgoniaOpKind(n.Op())
	if !staticKinds[kind] {
		return false
	}
	if kind == "sizeOp" {
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
