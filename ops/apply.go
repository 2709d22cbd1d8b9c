package ops

import (
	"fmt"
	"hash"
	"slices"
	"sync/atomic"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/graphindex"
)

// Gorgonia hash-conses: ApplyOp returns an existing node instead of a new
// one when the two have equal 32-bit hashes and equal op hashes, arities,
// types and shapes (gorgonia v0.9.18 equalities.go nodeEq). It never
// compares the children: two nodes with different inputs whose hashes
// collide merge, and the graph then computes something else, silently. In
// a graph of 40,000 additions such a collision is more likely than not
// after a few tries (sum(x+x+...+x) gave 22977 for 40000).
//
// Apply is how symgrad adds every node it builds (the ops' builders, the
// compiler's copies and gradients): it checks what ApplyOp returned and,
// on a false merge, rebuilds the node under a distinctOp, whose op hash is
// unique by construction, so that no existing node can be taken for it.

// MaxDistinctTries bounds the rebuilds of one node; each try draws a new
// unique op hash, so a second collision is already a 2^-32 event.
const MaxDistinctTries = 8

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
	g := graphOf(in)
	if g == nil {
		return nil, errors.Errorf("apply %v: no input has a graph", op)
	}
	graphindex.Ahead(g)
	before := len(g.AllNodes())
	m, err := G.ApplyOp(op, in...)
	if err != nil {
		return nil, err
	}
	if added(g, before, m) {
		return m, nil
	}
	if isComputation(m, op, in) {
		return m, nil
	}
	if id := IdentityOf(op); id.Kind == KindSizeOf {
		// A size can not go under a distinctOp: Gorgonia's shape inference
		// reads a broadcast's count from its size input only when that
		// input's op is its own sizeOp. A size is a static count, so the
		// size of another input of the same length along the same axis
		// computes the same value.
		if mid := Identify(m); mid.Kind == KindSizeOf && mid.Axis == id.Axis && id.Size > 0 && mid.Size == id.Size {
			return m, nil
		}
		return nil, errors.Errorf("apply %v: Gorgonia merged it with %v, a size of another length, on a hash collision (rename an input)", op, m)
	}
	for range MaxDistinctTries {
		d := newDistinct(op)
		graphindex.Ahead(g)
		before = len(g.AllNodes())
		if m, err = G.ApplyOp(d, in...); err != nil {
			return nil, err
		}
		if added(g, before, m) {
			return m, nil
		}
		if isComputation(m, d, in) {
			return m, nil
		}
	}
	return nil, errors.Errorf("apply %v: Gorgonia merged the new node with a different one %d times", op, MaxDistinctTries)
}

// applyGorgonia adds the node Gorgonia's builder f makes from in, making
// sure it is not another computation's node: f runs in in's graph, and a
// node it made there, or an existing one with this op over exactly in (a
// true repeat), is the answer. When f returned an existing node over other
// inputs (a merge on a hash collision, or one of Gorgonia's build-time
// rewrites that found its result already built), f runs again on
// stand-ins of in in a scratch graph of its own, and the one op it made
// there is applied to in through Apply. A builder that makes more than one
// node there (a broadcast) is answered as Gorgonia answered.
func applyGorgonia(f func(in ...*G.Node) (*G.Node, error), in ...*G.Node) (*G.Node, error) {
	g := graphOf(in)
	if g == nil {
		return f(in...)
	}
	before := len(g.AllNodes())
	m, err := f(in...)
	if err != nil || m == nil || added(g, before, m) || (m.Op() != nil && slices.Equal(Inputs(m), G.Nodes(in))) {
		return m, err
	}
	scratch := G.NewGraph()
	stand := make(G.Nodes, len(in))
	for i, x := range in {
		opts := []G.NodeConsOpt{G.WithName(fmt.Sprint("in", i))}
		if x.IsScalar() {
			stand[i] = G.NewScalar(scratch, x.Dtype(), opts...)
			continue
		}
		stand[i] = G.NewTensor(scratch, x.Dtype(), x.Dims(), append(opts, G.WithShape(x.Shape().Clone()...))...)
	}
	proto, err := f(stand...)
	if err != nil || proto == nil || proto.Op() == nil || len(scratch.AllNodes()) != len(in)+1 || !slices.Equal(Inputs(proto), stand) {
		return m, nil
	}
	return Apply(proto.Op(), in...)
}

// graphOf is the graph of the first input that has one (a Gorgonia
// constant made without G.In has none), nil if none does.
func graphOf(in G.Nodes) *G.ExprGraph {
	for _, x := range in {
		if x != nil && x.Graph() != nil {
			return x.Graph()
		}
	}
	return nil
}

// gorgonia1 and gorgonia2 are a one- and a two-input Gorgonia builder
// through applyGorgonia.
func gorgonia1(f func(*G.Node) (*G.Node, error), x *G.Node) (*G.Node, error) {
	return applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return f(in[0]) }, x)
}

func gorgonia2(f func(a, b *G.Node) (*G.Node, error), a, b *G.Node) (*G.Node, error) {
	return applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return f(in[0], in[1]) }, a, b)
}

// sumAll is Gorgonia's Sum over every axis (x itself for a scalar).
func sumAll(x *G.Node) (*G.Node, error) {
	return applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.Sum(in[0]) }, x)
}

// added reports whether m is among the nodes g gained after its first
// before ones: a node made by this ApplyOp, not an existing one it
// returned (a graph-less constant input joins g too, so the count alone
// would not tell).
func added(g *G.ExprGraph, before int, m *G.Node) bool {
	for _, n := range g.AllNodes()[before:] {
		if n == m {
			return true
		}
	}
	return false
}

// isComputation reports whether the existing node m computes op over in.
func isComputation(m *G.Node, op G.Op, in G.Nodes) bool {
	return slices.Equal(Inputs(m), G.Nodes(in)) && sameComputation(op, m.Op())
}

// sameComputation reports whether two ops whose nodes Gorgonia merged
// compute the same thing: the same op value, or two stateless ops of one
// type that print alike (a symgrad op's String holds its attributes, and
// Gorgonia's softmax prints its log flag although it does not hash it).
func sameComputation(a, b G.Op) bool {
	if identical(a, b) {
		return true
	}
	if IsStateful(a) || IsStateful(b) {
		return false
	}
	return SameOp(a, b)
}

// Alike reports whether a and b are the same op: one op value, or two of
// one type that print alike (SameOp). Two runs of one builder make alike
// ops; unlike sameComputation it takes two stateful ops for the same.
func Alike(a, b G.Op) bool { return identical(a, b) || SameOp(a, b) }

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

// opOf is n's op, seen through a distinctOp: what the builders' and the
// matchers' type checks look at.
func OpOf(n *G.Node) G.Op {
	if d, ok := n.Op().(*distinctOp); ok {
		return d.Op
	}
	return n.Op()
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
	if m, ok := d.Op.(MaskFreezer); ok {
		m.FreezeMask(frozen)
	}
}
