package compiler

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/graphindex"
	"github.com/symgrad/symgrad/ops"
)

// symbolicGrad returns d cost / d wrt[i] as nodes of cost's graph: the
// reverse sweep of G.Grad (gorgonia v0.9.18 differentiation.go
// Backpropagate) with every node it adds built through BuildIsolated.
//
// The gradients are Gorgonia's: each op's own SDOp.SymDiff, over the same
// active nodes, visited in the same order (G.Sort), with the contributions
// to a node summed left to right as ReduceAdd sums them. What differs is
// where the nodes are made: G.Grad adds them straight into the graph,
// where a hash collision with any of its (possibly tens of thousands of)
// nodes silently merges a gradient term with another; here each SymDiff
// and each sum runs in a scratch graph and is copied in through Apply.
func symbolicGrad(cost *G.Node, wrt G.Nodes) (G.Nodes, error) {
	if cost == nil || !cost.IsScalar() {
		return nil, errors.Errorf("gradient of %v: the cost must be a scalar", cost)
	}
	for _, w := range wrt {
		if w == nil || w.Op() != nil {
			return nil, errors.Errorf("gradient with respect to %v: not a leaf", w)
		}
	}
	sorted, err := graphindex.Sort(cost.Graph()) // parents before children
	if err != nil {
		return nil, errors.Wrap(err, "gradient: sorting the graph")
	}
	active := activeNodes(cost, wrt, sorted)
	for _, w := range wrt {
		if !active[w] {
			return nil, errors.Errorf("gradient: %q does not affect the cost differentiably", w.Name())
		}
	}
	seed, err := Constant(cost.Graph(), one(cost.Dtype()))
	if err != nil {
		return nil, err
	}
	terms := map[*G.Node]G.Nodes{cost: {seed}}
	for _, n := range sorted {
		if !active[n] {
			continue
		}
		total, err := sumTerms(n, terms[n])
		if err != nil {
			return nil, err
		}
		terms[n] = G.Nodes{total}
		if isLeaf(n) {
			continue
		}
		if err := pullBack(n, total, terms); err != nil {
			return nil, err
		}
	}
	out := make(G.Nodes, len(wrt))
	for i, w := range wrt {
		out[i] = terms[w][0]
	}
	return out, nil
}

// activeNodes are the nodes that differentiably depend on some wrt and
// that the cost differentiably depends on (Gorgonia's forward and
// backward analyses).
func activeNodes(cost *G.Node, wrt, sorted G.Nodes) map[*G.Node]bool {
	affectsCost := map[*G.Node]bool{cost: true}
	for _, n := range sorted { // parents first
		if !affectsCost[n] || isLeaf(n) {
			continue
		}
		diffs := diffWRT(n)
		for j, ch := range children(n) {
			if j < len(diffs) && diffs[j] {
				affectsCost[ch] = true
			}
		}
	}
	dependsOnWRT := make(map[*G.Node]bool, len(wrt))
	for _, w := range wrt {
		dependsOnWRT[w] = true
	}
	for i := len(sorted) - 1; i >= 0; i-- { // children first
		n := sorted[i]
		if isLeaf(n) {
			continue
		}
		diffs := diffWRT(n)
		for j, ch := range children(n) {
			if j < len(diffs) && diffs[j] && dependsOnWRT[ch] {
				dependsOnWRT[n] = true
				break
			}
		}
	}
	active := make(map[*G.Node]bool)
	for n := range affectsCost {
		if dependsOnWRT[n] {
			active[n] = true
		}
	}
	return active
}

// diffWRT is which of n's inputs its op can differentiate with respect to.
func diffWRT(n *G.Node) []bool {
	if op, ok := n.Op().(G.SDOp); ok {
		return op.DiffWRT(len(children(n)))
	}
	return nil
}

// sumTerms adds the gradient terms of n in the order they arrived (all
// have n's shape and dtype). The first addition is built in isolation; the
// others reuse its op through Apply, which checks a single node exactly.
func sumTerms(n *G.Node, terms G.Nodes) (*G.Node, error) {
	if len(terms) == 0 {
		return nil, errors.Errorf("gradient: no gradient reaches %v", n)
	}
	total := terms[0]
	var add G.Op
	for _, t := range terms[1:] {
		var err error
		if add != nil && sameType(total, t) {
			total, err = Apply(add, total, t)
		} else {
			var sum G.Nodes
			sum, err = BuildIsolated(G.Nodes{total, t}, func(in G.Nodes) (G.Nodes, error) {
				s, err := G.Add(in[0], in[1])
				return G.Nodes{s}, err
			})
			if err == nil {
				total = sum[0]
				if ch := children(total); len(ch) == 2 && sameType(ch[0], ch[1]) {
					add = total.Op()
				}
			}
		}
		if err != nil {
			return nil, errors.Wrapf(err, "gradient: summing the gradient terms of %v", n)
		}
	}
	return total, nil
}

// sameType reports whether a and b have one dtype and one shape.
func sameType(a, b *G.Node) bool {
	return a.Dtype() == b.Dtype() && a.Shape().Eq(b.Shape()) && a.IsScalar() == b.IsScalar()
}

// pullBack calls n's SymDiff with n's total gradient and records each
// differentiable input's term.
func pullBack(n, grad *G.Node, terms map[*G.Node]G.Nodes) error {
	op, ok := n.Op().(G.SDOp)
	if !ok {
		return errors.Errorf("gradient: %v (op %v) has no symbolic gradient", n, n.Op())
	}
	symDiff := op.SymDiff
	if _, own := n.Op().(ops.Identified); !own && ops.KindOf(n) == ops.KindConcat {
		// Gorgonia's Concat cuts its gradient with slices that can merge
		// (ops.ConcatPieces); symgrad's pieces cannot.
		axis := ops.Identify(n).Axis
		symDiff = func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) { return ops.ConcatPieces(grad, axis, in) }
	}
	ch := children(n)
	in := append(append(G.Nodes{}, ch...), n, grad)
	got, err := BuildIsolated(in, func(s G.Nodes) (G.Nodes, error) {
		k := len(s) - 2
		return symDiff(s[:k], s[k], s[k+1])
	})
	if err != nil {
		return errors.Wrapf(err, "gradient: SymDiff of %v (op %v)", n, n.Op())
	}
	diffs := op.DiffWRT(len(ch))
	for j, c := range ch {
		if j < len(diffs) && diffs[j] && j < len(got) && got[j] != nil {
			terms[c] = append(terms[c], got[j])
		}
	}
	return nil
}

// one is 1 in dtype dt (the seed of the reverse sweep).
func one(dt tensor.Dtype) any {
	if dt == tensor.Float32 {
		return float32(1)
	}
	return float64(1)
}
