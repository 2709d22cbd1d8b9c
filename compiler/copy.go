package compiler

import (
	"github.com/pkg/errors"
	"github.com/symgrad/symgrad/internal/nodes"
	G "gorgonia.org/gorgonia"
)

// A copier rebuilds the part of a graph that some roots need into a fresh
// *G.ExprGraph, node by node, children first, applying rewrite rules to each
// rebuilt node. The source graph is never touched: the user's nodes, and
// the ops other users of them share, keep their meaning (Gorgonia rewrites
// in place while building; symgrad's compiler rewrites copies).
//
// Leaves become fresh leaves with the same names bound to the same values
// (the same *tensor.Dense), so an optimizer that updates a parameter's
// tensor, or a caller that writes into an input's tensor, updates the copy.
// Op nodes are rebuilt with G.ApplyOp(op, newChildren...), which shares
// the op value (and its state: a dropout mask, batch-norm running
// statistics) and bypasses the build-time rewrites of Gorgonia's builders.
type copier struct {
	g       *G.ExprGraph
	to      map[*G.Node]*G.Node // source node -> copy
	rules   []*Rule
	fired   map[*Rule]int
	origin  map[*G.Node]*G.Node // copy -> the source node it was built for (merge checks)
	budget  int                 // rewrites left in this sweep (guards against cycling rules)
	rewrote bool
}

func newCopier(rules []*Rule) *copier {
	return &copier{g: G.NewGraph(), to: map[*G.Node]*G.Node{}, rules: rules,
		fired: map[*Rule]int{}, origin: map[*G.Node]*G.Node{}, budget: 100000}
}

// copyAll copies every node the roots need, plus the extra leaves (the
// parameters, which must exist in the copy even if a rewrite made them
// unreachable), and returns the copies of the roots.
func (c *copier) copyAll(roots, extra G.Nodes) (G.Nodes, error) {
	for _, n := range extra {
		if _, err := c.copyNode(n); err != nil {
			return nil, err
		}
	}
	out := make(G.Nodes, len(roots))
	for i, r := range roots {
		n, err := c.copyNode(r)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// copyNode copies n and everything it depends on (iteratively: deep graphs
// such as unrolled LSTMs would overflow a recursive walk's patience).
func (c *copier) copyNode(root *G.Node) (*G.Node, error) {
	if m, ok := c.to[root]; ok {
		return m, nil
	}
	stack := G.Nodes{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		if _, done := c.to[n]; done {
			stack = stack[:len(stack)-1]
			continue
		}
		ready := true
		for _, ch := range children(n) {
			if _, done := c.to[ch]; !done {
				stack = append(stack, ch)
				ready = false
			}
		}
		if !ready {
			continue
		}
		stack = stack[:len(stack)-1]
		m, err := c.build(n)
		if err != nil {
			return nil, err
		}
		c.to[n] = m
	}
	return c.to[root], nil
}

// build copies one node whose children are already copied, then rewrites
// the copy while some rule matches.
func (c *copier) build(n *G.Node) (*G.Node, error) {
	if isLeaf(n) {
		return c.copyLeaf(n)
	}
	src := children(n)
	in := make(G.Nodes, len(src))
	for i, ch := range src {
		in[i] = c.to[ch]
	}
	m, err := c.apply(n.Op(), in, n)
	if err != nil {
		return nil, errors.Wrapf(err, "copying node %d %q (op %v)", n.ID(), n.Name(), n.Op())
	}
	return c.rewrite(m)
}

// apply is Apply in the copy's graph. Beyond false merges on hash
// collisions, Apply also keeps apart what hashes alike but differs: ops
// whose hashes leave out an attribute (Gorgonia's softmax leaves out its
// log flag, gorgonia issue 569) and stateful ops (dropout, batch-norm
// statistics), which a rewrite making two subgraphs equal could otherwise
// merge.
func (c *copier) apply(op G.Op, in G.Nodes, from *G.Node) (*G.Node, error) {
	m, err := Apply(op, in...)
	if err != nil {
		return nil, err
	}
	if _, seen := c.origin[m]; !seen {
		c.origin[m] = from
	}
	return m, nil
}

// rewrite applies the copier's rules to m until none matches.
func (c *copier) rewrite(m *G.Node) (*G.Node, error) {
	for again := true; again; {
		again = false
		for _, r := range c.rules {
			if isLeaf(m) || c.budget <= 0 {
				return m, nil
			}
			out, err := r.Apply(m)
			if err != nil {
				return nil, err
			}
			if out == nil || out == m {
				continue
			}
			c.fired[r]++
			c.budget--
			c.rewrote = true
			m, again = out, true
			break
		}
	}
	return m, nil
}

// copyLeaf copies a parameter, input or constant.
func (c *copier) copyLeaf(n *G.Node) (*G.Node, error) {
	if n.Op() != nil { // one of Gorgonia's constant nodes
		v := n.Op().(interface{ Value() G.Value }).Value()
		if n.IsScalar() {
			m := c.g.AddNode(G.NewConstant(v))
			if m.Dtype() == n.Dtype() && m.IsScalar() {
				return m, nil
			}
			// Gorgonia merges constants by printed value, across dtypes.
		}
		return Constant(c.g, nodes.ConstantArg(v))
	}
	name := n.Name()
	if len(c.g.ByName(name)) > 0 {
		if IsConstant(n) { // a folded constant took the name: constants' names do not matter
			return Constant(c.g, nodes.ConstantArg(n.Value()))
		}
		return nil, errors.Errorf("copying leaf %q: two leaves share that name", name)
	}
	opts := []G.NodeConsOpt{G.WithName(name)}
	if v := n.Value(); v != nil {
		opts = append(opts, G.WithValue(v))
	}
	if n.IsScalar() {
		return G.NewScalar(c.g, n.Dtype(), opts...), nil
	}
	opts = append(opts, G.WithShape(n.Shape().Clone()...))
	return G.NewTensor(c.g, n.Dtype(), n.Dims(), opts...), nil
}
