package compiler

import (
	"reflect"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

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

// letIfChanged binds v to n unless n already holds v: a preallocated
// buffer is bound once.
func letIfChanged(n *G.Node, v G.Value) error {
	if sameRef(n.Value(), v) {
		return nil
	}
	return G.UnsafeLet(n, v)
}

// boundShape returns the shape of n's bound dense value without copying
// it (a dense tensor's Shape is its own), else a copy of n's shape.
func boundShape(n *G.Node) tensor.Shape {
	if d, ok := n.Value().(*tensor.Dense); ok {
		return d.Shape()
	}
	return n.Shape()
}
