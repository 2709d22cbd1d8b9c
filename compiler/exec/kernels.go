package exec

import (
	"unsafe"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
	"github.com/symgrad/symgrad/ops/kernels"
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

// arithKernels and funcKernels are the Gorgonia ops with a native kernel.
var (
	arithKernels = map[ops.Kind]kernels.Arith{
		ops.KindAdd: kernels.Add, ops.KindSub: kernels.Sub, ops.KindMul: kernels.Mul, ops.KindDiv: kernels.Div,
	}
	funcKernels = map[ops.Kind]kernels.Func{
		ops.KindSquare: kernels.Square, ops.KindNeg: kernels.Neg, ops.KindExp: kernels.Exp,
		ops.KindLog: kernels.Log, ops.KindSqrt: kernels.Sqrt, ops.KindAbs: kernels.Abs,
	}
)

// kernelFor returns a native kernel for n, or nil.
func kernelFor(n *G.Node) *nativeKernel {
	if dt := n.Dtype(); dt != tensor.Float64 && dt != tensor.Float32 {
		return nil
	}
	id := ops.Identify(n)
	if a, ok := arithKernels[id.Kind]; ok && !id.RetSame { // RetSame: a comparison's flag
		return &nativeKernel{name: id.Kind.String(), f: func(out G.Value, in []G.Value) error { return binaryKernel(a, out, in) }}
	}
	if f, ok := funcKernels[id.Kind]; ok {
		return &nativeKernel{name: id.Kind.String(), f: func(out G.Value, in []G.Value) error { return unaryKernel(f, out, in) }}
	}
	if id.Kind == ops.KindSum && n.IsScalar() {
		return &nativeKernel{name: "sum", f: sumKernel}
	}
	return axisKernelFor(n, id)
}

// elems returns v's elements as a []T without allocating (a scalar as a
// slice of one), or ok false for another dtype or a value the kernels do
// not handle.
func elems[T kernels.Float](v G.Value) ([]T, bool) {
	var zero T
	wide := unsafe.Sizeof(zero) == 8
	switch x := v.(type) {
	case *G.F64:
		if wide {
			return unsafe.Slice((*T)(unsafe.Pointer(x)), 1), true
		}
	case *G.F32:
		if !wide {
			return unsafe.Slice((*T)(unsafe.Pointer(x)), 1), true
		}
	case *tensor.Dense:
		switch {
		case x.RequiresIterator():
		case wide && x.Dtype() == tensor.Float64:
			s := x.Float64s()
			return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s))), len(s)), true
		case !wide && x.Dtype() == tensor.Float32:
			s := x.Float32s()
			return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s))), len(s)), true
		}
	}
	return nil, false
}

var errKernelInput = errors.New("unsupported operand")

func binaryKernel(op kernels.Arith, out G.Value, in []G.Value) error {
	if len(in) != 2 {
		return errKernelInput
	}
	if done, err := binaryAs[float64](op, out, in); done {
		return err
	}
	if done, err := binaryAs[float32](op, out, in); done {
		return err
	}
	return errKernelInput
}

// binaryAs runs the kernel when out has dtype T (done).
func binaryAs[T kernels.Float](op kernels.Arith, out G.Value, in []G.Value) (done bool, err error) {
	o, ok := elems[T](out)
	if !ok {
		return false, nil
	}
	a, ok1 := elems[T](in[0])
	b, ok2 := elems[T](in[1])
	if !ok1 || !ok2 || !kernels.Binary(op, o, a, b) {
		return true, errKernelInput
	}
	return true, nil
}

func unaryKernel(f kernels.Func, out G.Value, in []G.Value) error {
	if len(in) != 1 {
		return errKernelInput
	}
	if done, err := unaryAs[float64](f, out, in[0]); done {
		return err
	}
	if done, err := unaryAs[float32](f, out, in[0]); done {
		return err
	}
	return errKernelInput
}

// unaryAs runs the kernel when out has dtype T (done).
func unaryAs[T kernels.Float](f kernels.Func, out, in G.Value) (done bool, err error) {
	o, ok := elems[T](out)
	if !ok {
		return false, nil
	}
	x, ok := elems[T](in)
	if !ok || !kernels.Unary(f, o, x) {
		return true, errKernelInput
	}
	return true, nil
}

// sumKernel is the sum of every element into a scalar, in order.
func sumKernel(out G.Value, in []G.Value) error {
	if len(in) != 1 {
		return errKernelInput
	}
	switch o := out.(type) {
	case *G.F64:
		if x, ok := elems[float64](in[0]); ok {
			*o = G.F64(kernels.Sum(x))
			return nil
		}
	case *G.F32:
		if x, ok := elems[float32](in[0]); ok {
			*o = G.F32(kernels.Sum(x))
			return nil
		}
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
func (p *Plan) isStatic(n *G.Node, index map[*G.Node]int, static []bool) bool {
	kind := ops.KindOf(n)
	if !staticKind(kind) {
		return false
	}
	if kind == ops.KindSizeOf {
		return true
	}
	in := ops.Inputs(n)
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
