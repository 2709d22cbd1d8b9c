package compiler

import (
	"fmt"
	"hash"
	"sync/atomic"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/graphindex"
	"github.com/symgrad/symgrad/ops"
)

// Gorgonia hash-conses: ApplyOp returns an existing node instead of a new
// one when the two have equal 32-bit hashes and equal op hashes, arities,
// types and shapes (gorgonia v0.9.18 equalities.go nodeEq). It never
// compares the children: two nodes with different inputs whose hashes
// collide merge, and the graph then computes something else, silently. In
// a graph of 40,000 additions such a collision is more likely than not
// after a few tries (sum(x+x+...+x) gave 22977 for 40000).
//
// Apply is how symgrad adds every node it builds: it checks what ApplyOp
// returned and, on a false merge, rebuilds the node under a distinctOp,
// whose op hash is unique by construction, so that no existing node can
// be taken for it.

// maxDistinctTries bounds the rebuilds of one node; each try draws a new
// unique op hash, so a second collision is already a 2^-32 event.
const maxDistinctTries = 8

// Apply is G.ApplyOp(op, in...) that never returns a node computing
// something else: the node it returns is either new, or an existing node
// with this very op (or a stateless op of the same type that prints alike)
// over exactly these inputs. Legitimate sharing of equal computations is
// kept; a merge that Gorgonia's hash-consing makes on a hash collision is
// undone by rebuilding the node under a distinctOp.
func Apply(op G.Op, in ...*G.Node) (*G.Node, error) {
	if len(in) == 0 {
		return nil, errors.Errorf("apply %v: no inputs", op)
	}
	g := in[0].Graph()
	if g == nil {
		return nil, errors.Errorf("apply %v: input %q has no graph", op, in[0].Name())
	}
	graphindex.Ahead(g)
	before := len(g.AllNodes())
	m, err := G.ApplyOp(op, in...)
	if err != nil {
		return nil, err
	}
	if len(g.AllNodes()) > before {
		return m, nil
	}
	if isComputation(m, op, in) {
		return m, nil
	}
	for range maxDistinctTries {
		d := newDistinct(op)
		graphindex.Ahead(g)
		before = len(g.AllNodes())
		if m, err = G.ApplyOp(d, in...); err != nil {
			return nil, err
		}
		if len(g.AllNodes()) > before {
			return m, nil
		}
		if isComputation(m, d, in) {
			return m, nil
		}
	}
	return nil, errors.Errorf("apply %v: Gorgonia merged the new node with a different one %d times", op, maxDistinctTries)
}

// isComputation reports whether the existing node m computes op over in.
func isComputation(m *G.Node, op G.Op, in G.Nodes) bool {
	ch := children(m)
	if len(ch) != len(in) {
		return false
	}
	for i := range in {
		if ch[i] != in[i] {
			return false
		}
	}
	return sameComputation(op, m.Op())
}

// sameComputation reports whether two ops whose nodes Gorgonia merged
// compute the same thing: the same op value, or two stateless ops of one
// type that print alike (a symgrad op's String holds its attributes, and
// Gorgonia's softmax prints its log flag although it does not hash it).
func sameComputation(a, b G.Op) bool {
	if identical(a, b) {
		return true
	}
	if ops.IsStateful(a) || ops.IsStateful(b) {
		return false
	}
	return ops.SameOp(a, b)
}

// identical is a == b, false where the dynamic type is not comparable.
func identical(a, b G.Op) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

// distinctTags hands out the tags that make distinctOps' hashes unique; it
// is a counter, not state anything depends on (any unused value serves).
var distinctTags atomic.Uint32

// newDistinct wraps op under the next unique tag.
func newDistinct(op G.Op) *distinctOp {
	if d, ok := op.(*distinctOp); ok {
		op = d.Op
	}
	return &distinctOp{Op: op, tag: distinctTags.Add(1)}
}

// distinctOp is an op whose hash is unique by construction, so that
// Gorgonia never merges its node with another; everything else is the
// wrapped op's.
type distinctOp struct {
	G.Op
	tag uint32
}

var _ G.SDOp = (*distinctOp)(nil)

// Unwrap returns the wrapped op (the rewrite rules do not fold a wrapper).
func (d *distinctOp) Unwrap() G.Op { return d.Op }

// WriteHash is the wrapped op's hash plus the tag (it feeds the node's
// hash, which only has to be well spread).
func (d *distinctOp) WriteHash(h hash.Hash) {
	d.Op.WriteHash(h)
	fmt.Fprintf(h, "#distinct%d", d.tag)
}

// Hashcode is a bijection of the tag (multiplication by an odd constant
// modulo 2^32): no two distinctOps share it, so Gorgonia's node equality,
// which compares op hashes, never takes one distinctOp's node for another's.
func (d *distinctOp) Hashcode() uint32 { return d.tag * 0x9e3779b1 }

// DiffWRT is the wrapped op's (none when it cannot be differentiated).
func (d *distinctOp) DiffWRT(n int) []bool {
	if sd, ok := d.Op.(G.SDOp); ok {
		return sd.DiffWRT(n)
	}
	return make([]bool, n)
}

// SymDiff is the wrapped op's.
func (d *distinctOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if sd, ok := d.Op.(G.SDOp); ok {
		return sd.SymDiff(in, out, grad)
	}
	return nil, errors.Errorf("%v has no symbolic gradient", d.Op)
}

// SetTraining forwards the train/eval switch.
func (d *distinctOp) SetTraining(t bool) error {
	if m, ok := d.Op.(G.TrainModeOp); ok {
		return m.SetTraining(t)
	}
	return nil
}

// FreezeMask forwards to an op with a random mask.
func (d *distinctOp) FreezeMask(frozen bool) {
	if m, ok := d.Op.(ops.MaskFreezer); ok {
		m.FreezeMask(frozen)
	}
}
