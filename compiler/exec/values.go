package exec

import (
	"reflect"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ZeroValue returns a new zero value of n's shape and dtype: a *G.F64 or
// *G.F32 for a scalar node (a float64 one for any other dtype), a dense
// tensor otherwise. It is the buffer a plan allocates for n, and a
// destination NewPlan can copy n's value into.
func ZeroValue(n *G.Node) G.Value {
	if n.IsScalar() {
		if n.Dtype() == tensor.Float32 {
			return G.NewF32(0)
		}
		return G.NewF64(0)
	}
	return tensor.New(tensor.Of(n.Dtype()), tensor.WithShape(n.Shape()...))
}

// Binding without allocating. G.Node.Shape clones the shape on every call
// and G.UnsafeLet calls it, so binding a value to a node allocates; the
// helpers below skip what a steady-state training step does not need.

// sameRef reports whether a and b are the same value (the same pointer).
func sameRef(a, b G.Value) bool {
	if a == nil || b == nil {
		return false
	}
	t := reflect.TypeOf(a)
	return t == reflect.TypeOf(b) && t.Comparable() && a == b
}

// LetIfChanged binds v to n (G.UnsafeLet) unless n already holds v, so
// that rebinding a preallocated buffer on every run allocates nothing.
func LetIfChanged(n *G.Node, v G.Value) error {
	if sameRef(n.Value(), v) {
		return nil
	}
	return G.UnsafeLet(n, v)
}
