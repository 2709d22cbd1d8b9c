package compiler

import (
	"runtime"
	"sync"
	"weak"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// NewInput starts an input with zeros so that Bind can copy into
// preallocated memory; running on those zeros without a Bind is the silent
// mistake a program refuses. An input made any other way (a leaf built
// with its own value: a mask, a lookup table) holds data its maker chose
// and counts as bound from the start.
//
// placeholders remembers NewInput's zero values, weakly (an entry goes
// when its value is collected): a registry, the one kind of package state
// this project allows.
var placeholders sync.Map // weak.Pointer[T] -> struct{}

// markPlaceholder records n's current value as NewInput's unbound zeros.
func markPlaceholder(n *G.Node) {
	switch v := n.Value().(type) {
	case *tensor.Dense:
		remember(v)
	case *G.F64:
		remember(v)
	case *G.F32:
		remember(v)
	}
}

func remember[T any](v *T) {
	w := weak.Make(v)
	placeholders.Store(w, struct{}{})
	runtime.AddCleanup(v, func(w weak.Pointer[T]) { placeholders.Delete(w) }, w)
}

// holdsPlaceholder reports whether n still holds the zeros NewInput gave it.
func holdsPlaceholder(n *G.Node) bool {
	var key any
	switch v := n.Value().(type) {
	case nil:
		return true
	case *tensor.Dense:
		key = weak.Make(v)
	case *G.F64:
		key = weak.Make(v)
	case *G.F32:
		key = weak.Make(v)
	default:
		return false
	}
	_, ok := placeholders.Load(key)
	return ok
}

// markPrebound marks as bound every input of p that holds a value of its
// maker's rather than NewInput's zeros.
func (p *Program) markPrebound(inputs G.Nodes) {
	for _, n := range inputs {
		if !holdsPlaceholder(n) {
			p.markBound(n)
		}
	}
}
