package optimizers

import (
	"fmt"
	"math"
	"slices"

	"gorgonia.org/tensor"
)

// Param is one parameter tensor and its gradient as an optimizer sees them.
//
// Name is the parameter's stable name (e.g. "fc1.weight"); it keys the
// optimizer's state, so it must be unique within one Step and stay the same
// from step to step. Value is updated in place. Grad is only read by
// optimizers (the clipping functions scale it in place); a nil Grad means the
// parameter received no gradient and is skipped, as PyTorch skips a
// parameter whose .grad is None. Value and Grad must be contiguous float32 or
// float64 tensors of the same dtype and shape.
type Param struct {
	Name  string        // stable, unique name, e.g. "fc1.weight"; keys the state
	Value *tensor.Dense // updated in place
	Grad  *tensor.Dense // read by optimizers, scaled by clipping; nil: skip
}

// LRSetter is anything with a learning rate that a schedule can read and
// set. Every Optimizer is one.
type LRSetter interface {
	// LR returns the learning rate the next step will use.
	LR() float64
	// SetLR sets the learning rate used from the next step on. Like
	// assigning param_group["lr"] in PyTorch, it is not validated.
	SetLR(lr float64)
}

// Optimizer updates parameters in place from their gradients.
//
// Step applies one update to every param with a non-nil Grad. It first
// checks all params (names, dtypes, shapes, state) and returns an error
// without touching any value if one is wrong. State returns a copy of the
// optimizer's per-parameter state, keyed "<param name>.<buffer>" (see the
// package documentation); LoadState replaces the state with a copy of the
// given map after checking its names and shapes.
type Optimizer interface {
	LRSetter
	Step(params []Param) error
	State() map[string]*tensor.Dense
	LoadState(state map[string]*tensor.Dense) error
}

// float is the element type of the tensors an optimizer updates.
type float interface{ ~float32 | ~float64 }

// isFloat reports whether dt is a dtype the optimizers update.
func isFloat(dt tensor.Dtype) bool { return dt == tensor.Float64 || dt == tensor.Float32 }

// checkParam checks one param's value and gradient against each other. It
// does not allocate unless it returns an error.
func checkParam(opt string, i int, p Param) error {
	if p.Name == "" {
		return fmt.Errorf("optimizers: %s: param %d has no name", opt, i)
	}
	if p.Value == nil {
		return fmt.Errorf("optimizers: %s: param %q has a nil Value", opt, p.Name)
	}
	if p.Grad == nil {
		return nil
	}
	vt, gt := p.Value.Dtype(), p.Grad.Dtype()
	if !isFloat(vt) {
		return fmt.Errorf("optimizers: %s: param %q has dtype %v; want float32 or float64", opt, p.Name, vt)
	}
	if gt != vt {
		return fmt.Errorf("optimizers: %s: param %q: grad dtype %v != value dtype %v", opt, p.Name, gt, vt)
	}
	if vs, gs := p.Value.Shape(), p.Grad.Shape(); !sameShape(vs, gs) {
		return fmt.Errorf("optimizers: %s: param %q: grad shape %v != value shape %v", opt, p.Name, gs, vs)
	}
	if err := checkContiguous(p.Value); err != nil {
		return fmt.Errorf("optimizers: %s: param %q: value %v", opt, p.Name, err)
	}
	if err := checkContiguous(p.Grad); err != nil {
		return fmt.Errorf("optimizers: %s: param %q: grad %v", opt, p.Name, err)
	}
	return nil
}

// checkContiguous reports an error if the backing slice of t, a float32 or
// float64 tensor, is not exactly its elements in order (a strided view, a
// transposed or masked tensor).
func checkContiguous(t *tensor.Dense) error {
	if n := t.Shape().TotalSize(); t.RequiresIterator() || floatLen(t) != n {
		return fmt.Errorf("of shape %v is not contiguous (%d stored elements); pass a materialized copy", t.Shape(), floatLen(t))
	}
	return nil
}

// floatLen is the length of the backing slice of a float32 or float64
// tensor (t.DataSize is 0 for a 0-d tensor).
func floatLen(t *tensor.Dense) int {
	if t.Dtype() == tensor.Float64 {
		return len(t.Float64s())
	}
	return len(t.Float32s())
}

// sameShape reports whether two shapes are exactly equal (unlike
// tensor.Shape.Eq, a (3) vector is not equal to a (3, 1) column).
func sameShape(a, b tensor.Shape) bool { return slices.Equal(a, b) }

// fma returns x*y+z rounded once. PyTorch's CPU kernels compute
// add(other, alpha) and addcmul as fused multiply-adds (explicitly with
// vec::fmadd, and by compiler contraction on x86-64), so the update rules
// use fma wherever PyTorch does to reproduce its float64 results bit for bit.
func fma[T float](x, y, z T) T { return T(math.FMA(float64(x), float64(y), float64(z))) }

// gradOf returns the gradient g of the param x as PyTorch's rules first
// rewrite it: g ← -g when maximize, then g ← g + λθ, fused as fma(wd, x, g),
// when wdOn. The flags are the caller's loop invariants. It calls math.FMA
// itself rather than fma: a generic call inside it would cost the
// kernels that inline it a dictionary load per element.
func gradOf[T float](g, x, wd T, maximize, wdOn bool) T {
	if maximize {
		g = -g
	}
	if wdOn {
		g = T(math.FMA(float64(wd), float64(x), float64(g)))
	}
	return g
}

// sqrt is math.Sqrt in T's precision (correctly rounded for float32 too).
func sqrt[T float](x T) T { return T(math.Sqrt(float64(x))) }

// ParamSource is anything that lists trainable parameters with their value
// and gradient tensors, in a fixed order: a *compiler.Program is one. The
// tensors must stay the same from step to step (a program's do), so the
// []Param built from them can be built once and reused.
type ParamSource interface {
	ParamTensors() (names []string, values, grads []*tensor.Dense)
}

// ParamsOf returns the parameters of src as an optimizer sees them, the
// list PyTorch's model.parameters() gives an optimizer:
//
//	params := optimizers.ParamsOf(prog)
//	for step := 0; step < n; step++ {
//		_ = prog.RunTrain()
//		_ = opt.Step(params)
//	}
//
// Build it once, outside the loop: it allocates, Step does not.
func ParamsOf(src ParamSource) []Param {
	names, values, grads := src.ParamTensors()
	out := make([]Param, len(names))
	for i, n := range names {
		out[i] = Param{Name: n, Value: values[i], Grad: grads[i]}
	}
	return out
}
