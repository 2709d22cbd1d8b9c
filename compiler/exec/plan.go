package exec

import (
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"

	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/internal/graphindex"
	"github.com/symgrad/symgrad/internal/nodes"
	"github.com/symgrad/symgrad/internal/panics"
)

// Plan is symgrad's executor: a static execution plan over an exact
// subgraph, run on the caller's goroutine (see the package documentation).
// After a run every node's Value() is the value it computed; static nodes
// (isStatic) are computed on the first run only.
type Plan struct {
	g      *G.ExprGraph
	nodes  G.Nodes    // every node of the subgraph, in execution order
	values []G.Value  // values[i] is the value of nodes[i] after a run
	leaves []int      // indices of the leaf nodes, whose values are read before each run
	steps  []planStep // the non-leaf nodes
	reads  []planRead
	modal  []G.TrainModeOp
	args   []G.Value // scratch for one step's inputs
}

type planStep struct {
	node     *G.Node
	op       G.Op
	in       []int // indices into values
	out      int
	buf      G.Value // preallocated output, nil if the op cannot use one
	prealloc G.UsePreallocDoer
	verified bool // UsePreallocDo was checked against Do on the first run
	static   bool // the value depends on constants and shapes only: computed once
	done     bool // a static step has been computed
}

// planRead copies a node's value into a program-owned destination.
type planRead struct {
	from int
	into *G.Value
}

var _ Runner = (*Plan)(nil)

// NewPlan plans the computation of the given nodes, which must belong to
// one graph, on the exact subgraph that computes them; after each run the
// value of want[i] is copied into *into[i] (G.Copy: a value of want[i]'s
// shape and dtype, such as ZeroValue(want[i])).
func NewPlan(want G.Nodes, into []*G.Value) (p *Plan, err error) {
	defer panics.Recover(&err, "planning execution")
	g := want[0].Graph().ExactSubgraphRoots(want...)
	sorted, err := graphindex.Sort(g)
	if err != nil {
		return nil, errors.Wrap(err, "sorting the graph")
	}
	p = &Plan{g: g}
	index := make(map[*G.Node]int, len(sorted))
	for i := len(sorted) - 1; i >= 0; i-- { // G.Sort puts roots first
		n := sorted[i]
		if ops.KindOf(n) == ops.KindRead {
			continue
		}
		index[n] = len(p.nodes)
		p.nodes = append(p.nodes, n)
	}
	p.values = make([]G.Value, len(p.nodes))
	static := make([]bool, len(p.nodes)) // static[i]: nodes[i]'s value never changes
	for i, n := range p.nodes {
		if nodes.IsLeaf(n) {
			static[i] = nodes.IsConstant(n)
			p.leaves = append(p.leaves, i)
			continue
		}
		s := planStep{node: n, op: n.Op(), out: i}
		for _, c := range ops.Inputs(n) {
			s.in = append(s.in, index[c])
		}
		// A native kernel (kernels.go) replaces the op's own paths; a
		// scalar gets a preallocated *F64/*F32 too: an op that does not
		// write into it fails verification and keeps using Do.
		if k := kernelFor(n); k != nil {
			s.prealloc, s.buf = k, ZeroValue(n)
		} else if pd, ok := n.Op().(G.UsePreallocDoer); ok {
			s.prealloc, s.buf = pd, ZeroValue(n)
		}
		s.static = p.isStatic(n, index, static)
		static[i] = s.static
		if m, ok := n.Op().(G.TrainModeOp); ok {
			p.modal = append(p.modal, m)
		}
		p.args = make([]G.Value, max(len(p.args), len(s.in)))
		p.steps = append(p.steps, s)
	}
	for i, n := range want {
		p.reads = append(p.reads, planRead{from: index[n], into: into[i]})
	}
	return p, nil
}

// Run executes the plan once in the given mode. A steady-state run (after
// the first, which verifies the preallocated paths) allocates nothing.
func (p *Plan) Run(mode Mode) (err error) {
	defer panics.Recover(&err, "run")
	if err := setMode(p.modal, mode); err != nil {
		return err
	}
	// The leaves are known at planning: asserting each node's op type on
	// every run would also cost allocations now and then (the runtime grows
	// an assertion's type cache at random, ~1 miss in 1024).
	for _, i := range p.leaves {
		if p.values[i] = p.nodes[i].Value(); p.values[i] == nil {
			return errors.Errorf("no value bound to %q", p.nodes[i].Name())
		}
	}
	for k := range p.steps {
		s := &p.steps[k]
		if s.done {
			continue
		}
		if err := p.exec(s); err != nil {
			return err
		}
		s.done = s.static
	}
	for _, r := range p.reads {
		if _, err := G.Copy(*r.into, p.values[r.from]); err != nil {
			return errors.Wrapf(err, "reading %q", p.nodes[r.from].Name())
		}
	}
	return nil
}

func (p *Plan) exec(s *planStep) (err error) {
	args := p.args[:len(s.in)]
	for j, i := range s.in {
		args[j] = p.values[i]
	}
	var v G.Value
	switch {
	case s.prealloc != nil && s.verified:
		v, err = s.prealloc.UsePreallocDo(s.buf, args...)
	case s.prealloc != nil:
		v, err = p.verifyPrealloc(s, args)
	default:
		v, err = s.op.Do(args...)
	}
	if err != nil {
		return errors.Wrapf(err, "node %d %q (op %v)", s.node.ID(), s.node.Name(), s.op)
	}
	p.values[s.out] = v
	// Bind the value so that n.Value() is right after a run: no register is
	// shared, so every node's value stays valid. A preallocated buffer is
	// bound once (LetIfChanged).
	if err := LetIfChanged(s.node, v); err != nil { // not Wrapf(err, ...): its boxed arguments allocate
		return errors.Wrapf(err, "binding the value of node %d", s.node.ID())
	}
	return nil
}

// verifyPrealloc runs a step's UsePreallocDo (into a buffer filled with
// NaN) and then its Do on the first run, and keeps the preallocated path
// only when both agree bit for bit.
// Gorgonia's TapeMachine resets its registers on every run, so most ops'
// UsePreallocDo paths are rarely exercised there and some are wrong; an op
// with randomness never agrees and keeps using Do. Do is the last call, so
// ops with internal state stay consistent; the value returned is Do's, or
// the buffer when it holds the same bits.
func (p *Plan) verifyPrealloc(s *planStep, args []G.Value) (G.Value, error) {
	pre, perr := p.tryPrealloc(s, args)
	v, err := s.op.Do(args...)
	if err != nil {
		return nil, err
	}
	s.verified = true
	if perr != nil || !sameValues(pre, v) {
		s.prealloc, s.buf = nil, nil
		return v, nil
	}
	// The buffer holds Do's bits: bind it now, so that the second run
	// (the first on the preallocated path) re-binds nothing.
	return s.buf, nil
}

func (p *Plan) tryPrealloc(s *planStep, args []G.Value) (v G.Value, err error) {
	defer panics.Recover(&err, "UsePreallocDo")
	// Poison the buffer: an op that reads its preallocated value (such as
	// Gorgonia's sliceIncrOp, which increments into it) then disagrees with
	// Do and is not trusted.
	poison(s.buf)
	v, err = s.prealloc.UsePreallocDo(s.buf, args...)
	if err == nil && v != s.buf {
		err = errors.New("UsePreallocDo did not write into the preallocated value")
	}
	if err == nil {
		v, err = G.CloneValue(v) // Do may reuse nothing, but compare a snapshot
	}
	return v, err
}

// poison fills a float buffer with NaN.
func poison(v G.Value) {
	switch d := v.(type) {
	case *G.F64:
		*d = G.F64(math.NaN())
		return
	case *G.F32:
		*d = G.F32(math.NaN())
		return
	}
	floatdense.Fill(v.Data(), math.NaN)
}

// sameValues reports whether a and b hold the same shape and bits.
func sameValues(a, b G.Value) bool {
	if a == nil || b == nil || !a.Shape().Eq(b.Shape()) || a.Dtype() != b.Dtype() {
		return false
	}
	switch x := a.(type) {
	case *G.F64:
		y, ok := b.(*G.F64)
		return ok && math.Float64bits(float64(*x)) == math.Float64bits(float64(*y))
	case *G.F32:
		y, ok := b.(*G.F32)
		return ok && math.Float32bits(float32(*x)) == math.Float32bits(float32(*y))
	}
	switch x := a.Data().(type) {
	case []float64:
		return sameBits(x, b.Data().([]float64), math.Float64bits)
	case []float32:
		return sameBits(x, b.Data().([]float32), math.Float32bits)
	}
	return false
}

// sameBits reports whether x and y, of one length, hold the same bits.
func sameBits[T any, B comparable](x, y []T, bits func(T) B) bool {
	for i := range x {
		if bits(x[i]) != bits(y[i]) {
			return false
		}
	}
	return true
}

// Graph returns the exact subgraph the plan runs.
func (p *Plan) Graph() *G.ExprGraph { return p.g }

// Close releases nothing: a plan holds no resource beyond its buffers.
func (p *Plan) Close() {}
