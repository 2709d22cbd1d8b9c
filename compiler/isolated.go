package compiler

import (
	"fmt"
	"reflect"

	"github.com/pkg/errors"
	"github.com/symgrad/symgrad/ops"
	G "gorgonia.org/gorgonia"
)

// BuildIsolated runs build on stand-ins for in, in a scratch graph of its
// own, and adds the nodes it made to in's graph through Apply, with each
// stand-in replaced by its original. It returns the copies of build's
// results (a nil result stays nil).
//
// Why: build may be any code that makes nodes with Gorgonia's builders (an
// op's SymDiff, a registry op's builder, G.Add), and every node Gorgonia
// makes in a large graph risks a false merge on a hash collision (see
// Apply). A scratch graph holds only the few nodes one build makes, and
// build runs twice, on two scratch graphs whose stand-ins have different
// names, so that every hash differs between the two: the results must have
// the same structure, or one of the builds merged falsely and both are
// redone. The copy into the real graph goes through Apply, which catches
// merges there. So no node a symgrad graph gets from build can stand for
// a different computation.
//
// A build that makes no op node (it returns its inputs) runs once.
//
// A build that cannot run on stand-ins (one that reaches for nodes of the
// real graph beyond in) runs on the originals directly, as Gorgonia would.
func BuildIsolated(in G.Nodes, build func(in G.Nodes) (G.Nodes, error)) (G.Nodes, error) {
	if len(in) == 0 || in[0] == nil || in[0].Graph() == nil {
		return nil, errors.New("build: no inputs in a graph")
	}
	g := in[0].Graph()
	for try := 0; try < ops.MaxDistinctTries; try++ {
		tagA := ""
		if try > 0 {
			tagA = fmt.Sprintf("%d'", 2*try)
		}
		a, sa, err := buildOnStandIns(in, build, tagA)
		if err != nil {
			return build(in) // as Gorgonia would; its error names the originals
		}
		if computedNodes(sa[0].Graph()) == 0 {
			// No op node made (add's SymDiff passes the gradient on): nothing
			// merged, so no second build.
			return transplant(g, a, sa, in)
		}
		b, sb, err := buildOnStandIns(in, build, fmt.Sprintf("%d'", 2*try+1))
		if err != nil {
			return nil, err
		}
		if !sameStructure(a, b, sa, sb) {
			continue
		}
		return transplant(g, a, sa, in)
	}
	return nil, errors.Errorf("build: scratch graphs disagreed %d times (hash collisions)", ops.MaxDistinctTries)
}

// buildOnStandIns runs build in a new graph on one leaf per distinct input
// (the same name, tagged in front on the second and later builds; the
// same type, shape and value) and returns the results and the stand-ins, aligned with in.
func buildOnStandIns(in G.Nodes, build func(G.Nodes) (G.Nodes, error), tag string) (G.Nodes, G.Nodes, error) {
	sg := G.NewGraph()
	stand := make(G.Nodes, len(in))
	made := make(map[*G.Node]*G.Node, len(in))
	for i, n := range in {
		if n == nil {
			return nil, nil, errors.Errorf("build: input %d is nil", i)
		}
		if s, ok := made[n]; ok {
			stand[i] = s
			continue
		}
		s, err := standIn(sg, n, tag)
		if err != nil {
			return nil, nil, err
		}
		made[n], stand[i] = s, s
	}
	out, err := build(stand)
	return out, stand, err
}

// standIn makes a leaf in sg that looks like n to a builder: its name
// (made unique in sg), dtype, shape and bound value.
func standIn(sg *G.ExprGraph, n *G.Node, tag string) (*G.Node, error) {
	// The tag goes in front: FNV hashes a stream, so two names that
	// collide still collide with the same suffix appended.
	name := n.Name()
	if tag != "" {
		name = tag + name
	}
	for k := 1; len(sg.ByName(name)) > 0; k++ {
		name = fmt.Sprintf("%s#%d", n.Name(), k)
	}
	opts := []G.NodeConsOpt{G.WithName(name)}
	if v := n.Value(); v != nil && isLeaf(n) {
		opts = append(opts, G.WithValue(v))
	}
	if n.IsScalar() {
		return G.NewScalar(sg, n.Dtype(), opts...), nil
	}
	opts = append(opts, G.WithShape(n.Shape().Clone()...))
	return G.NewTensor(sg, n.Dtype(), n.Dims(), opts...), nil
}

// sameStructure reports whether the results a and b of two builds are the
// same computation: pairwise the same ops over the same inputs, with
// stand-ins sa[i] and sb[i] taken as equal, and sharing alike.
func sameStructure(a, b, sa, sb G.Nodes) bool {
	if len(a) != len(b) {
		return false
	}
	fwd := make(map[*G.Node]*G.Node)
	back := make(map[*G.Node]*G.Node)
	for i := range sa {
		fwd[sa[i]], back[sb[i]] = sb[i], sa[i]
	}
	var same func(x, y *G.Node) bool
	same = func(x, y *G.Node) bool {
		if x == nil || y == nil {
			return x == y
		}
		if m, ok := fwd[x]; ok {
			return m == y
		}
		if _, ok := back[y]; ok {
			return false
		}
		if isLeaf(x) != isLeaf(y) || x.Dtype() != y.Dtype() || !x.Shape().Eq(y.Shape()) {
			return false
		}
		if x.Op() == nil || y.Op() == nil { // leaves made by build: constants by name
			if x.Op() != y.Op() || !IsConstant(x) || !IsConstant(y) || !sameValue(x.Value(), y.Value()) {
				return false
			}
		} else if !ops.Alike(x.Op(), y.Op()) {
			return false
		}
		cx, cy := children(x), children(y)
		if len(cx) != len(cy) {
			return false
		}
		for i := range cx {
			if !same(cx[i], cy[i]) {
				return false
			}
		}
		fwd[x], back[y] = y, x
		return true
	}
	for i := range a {
		if !same(a[i], b[i]) {
			return false
		}
	}
	return true
}

// transplant copies the scratch results into g through a copier whose map
// starts with each stand-in mapped to its original.
func transplant(g *G.ExprGraph, results, stand, orig G.Nodes) (G.Nodes, error) {
	c := &copier{g: g, to: make(map[*G.Node]*G.Node, len(stand)), fired: map[*Rule]int{},
		origin: map[*G.Node]*G.Node{}, budget: 0}
	for i, s := range stand {
		c.to[s] = orig[i]
	}
	out := make(G.Nodes, len(results))
	for i, r := range results {
		if r == nil {
			continue
		}
		if r.Graph() == g { // build returned a node of the real graph
			out[i] = r
			continue
		}
		m, err := c.copyNode(r)
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

// sameValue reports whether two constants' values are equal element for
// element (bit for bit: a NaN equals a NaN), with the same type and shape.
func sameValue(a, b G.Value) bool {
	if a == nil || b == nil {
		return a == b
	}
	if reflect.TypeOf(a) != reflect.TypeOf(b) || !a.Shape().Eq(b.Shape()) {
		return false
	}
	return reflect.DeepEqual(a.Data(), b.Data()) || fmt.Sprintf("%#v", a.Data()) == fmt.Sprintf("%#v", b.Data())
}

// computedNodes counts the nodes of g that an op computes.
func computedNodes(g *G.ExprGraph) int {
	k := 0
	for _, n := range g.AllNodes() {
		if !isLeaf(n) {
			k++
		}
	}
	return k
}
