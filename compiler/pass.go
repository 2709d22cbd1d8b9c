package compiler

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"slices"

	"github.com/symgrad/symgrad/internal/panics"
)

// Phase names a group of rewrite rules that run together to a fixed point.
// Phases run in the order of Phases.
type Phase string

// The phases of the pass pipeline.
const (
	// Canonicalize removes identities (x*1, x+0, --x, transposes and
	// reshapes that cancel), folds constant subgraphs and replaces ops with
	// incomplete hashes by symgrad's.
	Canonicalize Phase = "canonicalize"
	// Stabilize replaces numerically fragile patterns with stable ops
	// (log(softmax) -> logsoftmax, log(sigmoid) -> -softplus(-x), ...).
	Stabilize Phase = "stabilize"
	// Fuse merges chains of ops into one op where measurement shows it pays.
	Fuse Phase = "fuse"
	// Prune drops every node the program's roots do not need. It needs no
	// rules: each sweep copies only what the roots need.
	Prune Phase = "prune"
)

// Phases lists the phases in the order the pipeline runs them.
var Phases = []Phase{Canonicalize, Stabilize, Fuse, Prune}

// maxSweeps bounds the sweeps of one phase: rules that keep firing on
// their own output are a bug, reported as an error rather than a hang.
const maxSweeps = 16

// Rule is one graph rewrite, a pattern and its replacement. Name states
// the identity it applies, "log(softmax(x)) -> logsoftmax(x)".
//
// Rewrite looks at n, a node of the graph being built whose inputs are
// already rewritten, and returns its replacement built in n's graph (with
// G.ApplyOp or symgrad's ops builders), or nil when the pattern does not
// match. It must never modify n or any existing node. The pipeline checks
// that the replacement has n's shape and dtype.
type Rule struct {
	Name  string
	Phase Phase
	// SecondOrder says the replacement can be differentiated twice
	// wherever the pattern could; rules without it are skipped when
	// compiling for Hessian-vector products (HVP).
	SecondOrder bool
	Rewrite     func(n *G.Node) (*G.Node, error)
}

// apply runs the rule on n and checks the replacement's shape and dtype.
func (r *Rule) apply(n *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "rule %q on node %d (op %v)", r.Name, n.ID(), n.Op())
	out, err = r.Rewrite(n)
	if err != nil {
		return nil, errors.Wrapf(err, "rule %q on node %d (op %v, shape %v)", r.Name, n.ID(), n.Op(), n.Shape())
	}
	if out == nil || out == n {
		return out, nil
	}
	if out.Graph() != n.Graph() {
		return nil, errors.Errorf("rule %q: the replacement of node %d is in another graph", r.Name, n.ID())
	}
	if !sameShape(out, n) || out.Dtype() != n.Dtype() {
		return nil, errors.Errorf("rule %q: replaced node %d %v %v (op %v) with %v %v (op %v)",
			r.Name, n.ID(), n.Shape(), n.Dtype(), n.Op(), out.Shape(), out.Dtype(), out.Op())
	}
	return out, nil
}

// sameShape compares shapes dimension by dimension (tensor.Shape.Eq
// calls (2) and (1, 2) equal; a rewrite must not), with every scalar shape
// equal to every other.
func sameShape(a, b *G.Node) bool {
	if a.IsScalar() || b.IsScalar() {
		return a.IsScalar() && b.IsScalar()
	}
	return slices.Equal(a.Shape(), b.Shape())
}

// rewritten is the result of the pipeline: a fresh graph holding only what
// the roots need, the copies of the roots and params, and the map from
// every source node that survived to its copy.
type rewritten struct {
	g      *G.ExprGraph
	roots  G.Nodes
	params G.Nodes
	to     map[*G.Node]*G.Node
	report *PassReport
}

// rewriteGraph copies what roots need into a fresh graph and runs the
// rules there, phase by phase, each phase to a fixed point (a sweep in
// which no rule fires). With no rules it is a plain copy: the prune phase
// alone.
func rewriteGraph(roots, params G.Nodes, rules []*Rule) (*rewritten, error) {
	rep := &PassReport{before: roots, NodesBefore: len(reachableAll(roots))}
	cur := &rewritten{g: roots[0].Graph(), roots: roots, params: params, to: map[*G.Node]*G.Node{}, report: rep}
	for n := range reachableAll(append(append(G.Nodes{}, roots...), params...)) {
		cur.to[n] = n
	}
	counts := map[*Rule]int{}
	ran := false
	for _, ph := range Phases {
		var rs []*Rule
		for _, r := range rules {
			if r.Phase == ph {
				rs = append(rs, r)
			}
		}
		if len(rs) == 0 && (ran || ph != Prune) {
			continue
		}
		for sweep := 0; ; sweep++ {
			if sweep == maxSweeps {
				return nil, errors.Errorf("passes: phase %s still rewrites after %d sweeps (a rule undoes another?)", ph, maxSweeps)
			}
			c := newCopier(rs)
			if err := cur.sweep(c); err != nil {
				return nil, errors.Wrapf(err, "passes: phase %s", ph)
			}
			rep.Sweeps++
			ran = true
			for r, k := range c.fired {
				counts[r] += k
			}
			if !c.rewrote {
				break
			}
		}
	}
	for _, r := range rules {
		if counts[r] > 0 {
			rep.Fired = append(rep.Fired, PassCount{Rule: r.Name, Phase: r.Phase, Count: counts[r]})
		}
	}
	rep.after = cur.roots[:len(roots)]
	rep.NodesAfter = len(reachableAll(rep.after))
	if dropped := len(roots[0].Graph().AllNodes()) - len(reachableAll(append(append(G.Nodes{}, roots...), params...))); dropped > 0 {
		rep.Fired = append(rep.Fired, PassCount{Rule: "node the roots do not need -> removed", Phase: Prune, Count: dropped})
	}
	return cur, nil
}

// sweep copies cur's roots and params with c and moves cur to the copy.
// Leaves are copied first, in graph order, so the copy lists its inputs in
// the order the user created them.
func (cur *rewritten) sweep(c *copier) error {
	need := reachableAll(append(append(G.Nodes{}, cur.roots...), cur.params...))
	for _, n := range cur.g.AllNodes() {
		if need[n] && isLeaf(n) {
			if _, err := c.copyNode(n); err != nil {
				return err
			}
		}
	}
	newParams := make(G.Nodes, len(cur.params))
	for i, p := range cur.params {
		m, err := c.copyNode(p)
		if err != nil {
			return err
		}
		newParams[i] = m
	}
	roots, err := c.copyAll(cur.roots, nil)
	if err != nil {
		return err
	}
	for src, m := range cur.to {
		if next, ok := c.to[m]; ok {
			cur.to[src] = next
		} else {
			delete(cur.to, src)
		}
	}
	cur.g, cur.roots, cur.params = c.g, roots, newParams
	return nil
}

// reachableAll returns every node the roots depend on, roots included.
func reachableAll(roots G.Nodes) map[*G.Node]bool {
	seen := map[*G.Node]bool{}
	for _, r := range roots {
		if r == nil || seen[r] {
			continue
		}
		for n := range reachable(r) {
			seen[n] = true
		}
	}
	return seen
}
