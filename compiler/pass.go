package compiler

import (
	"github.com/pkg/errors"
	"github.com/symgrad/symgrad/compiler/rewrite"
	G "gorgonia.org/gorgonia"
)

// Phase names a group of rewrite rules that run together to a fixed
// point (package rewrite, which holds the rules).
type Phase = rewrite.Phase

// The phases of the pass pipeline, in the order the pipeline runs them
// (rewrite.Phases).
const (
	Canonicalize = rewrite.Canonicalize
	Stabilize    = rewrite.Stabilize
	Fuse         = rewrite.Fuse
	Prune        = rewrite.Prune
)

// Rule is one graph rewrite (rewrite.Rule): the default ones come from
// DefaultRules, experiments pass their own to WithRules.
type Rule = rewrite.Rule

// DefaultRules returns the rules Compile runs, in phase order, built anew
// on every call (rewrite.Default).
func DefaultRules() []*Rule { return rewrite.Default() }

// maxSweeps bounds the sweeps of one phase: rules that keep firing on
// their own output are a bug, reported as an error rather than a hang.
const maxSweeps = 16

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
	for _, ph := range rewrite.Phases() {
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
