package compiler

import (
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"
)

// Apply is G.ApplyOp(op, in...) that never returns a node computing
// something else (ops.Apply, which every symgrad builder uses): the node it
// returns is either new, or an existing node with this very op (or a
// stateless op of the same type that prints alike) over exactly these
// inputs. Legitimate sharing of equal computations is kept; a merge that
// Gorgonia's hash-consing makes on a hash collision is undone.
func Apply(op G.Op, in ...*G.Node) (*G.Node, error) { return ops.Apply(op, in...) }
