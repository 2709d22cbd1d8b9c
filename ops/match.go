package ops

import (
	G "gorgonia.org/gorgonia"
)

// The predicates below let graph rewriters (the compiler's passes)
// recognise symgrad's ops without reaching into their unexported types.
// Each one looks at a single node and its direct inputs only.

// ElemName returns the name of a symgrad elementwise op node (an elemOp:
// "relu", "sigmoid", "softplus", "tanh", "clampedlog", ...) and true; ""
// and false for any other node. The name holds every attribute of the op.
func ElemName(n *G.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	op, ok := OpOf(n).(*elemOp)
	if !ok {
		return "", false
	}
	return op.name, true
}

// IsLogSumExp reports whether n is logsumexp(x, axis) (LogSumExp) and
// returns x and the (non-negative) axis.
func IsLogSumExp(n *G.Node) (x *G.Node, axis int, ok bool) {
	if n == nil {
		return nil, 0, false
	}
	op, isLSE := OpOf(n).(*lseOp)
	if !isLSE {
		return nil, 0, false
	}
	return Inputs(n)[0], op.axis, true
}

// IsLogSoftmax reports whether n is LogSoftmax's graph, x - expand(
// logsumexp(x, axis)), and returns x and the (non-negative) axis.
func IsLogSoftmax(n *G.Node) (x *G.Node, axis int, ok bool) {
	if id := Identify(n); id.Kind != KindSub || id.RetSame {
		return nil, 0, false
	}
	in := Inputs(n)
	if len(in) != 2 {
		return nil, 0, false
	}
	ex, isExpand := OpOf(in[1]).(*expandOp)
	if !isExpand {
		return nil, 0, false
	}
	lx, a, isLSE := IsLogSumExp(Inputs(in[1])[0])
	if !isLSE || lx != in[0] || a != ex.axis {
		return nil, 0, false
	}
	return in[0], a, true
}

// IsPick reports whether n is pick(x, classes), out[b] = x[b, c_b] (the
// gather NLL is built on), and returns x and classes.
func IsPick(n *G.Node) (x, classes *G.Node, ok bool) {
	if n == nil {
		return nil, nil, false
	}
	if _, isPick := OpOf(n).(*pickOp); !isPick {
		return nil, nil, false
	}
	in := Inputs(n)
	return in[0], in[1], true
}

// IsReshape reports whether n is symgrad's copying Reshape and returns its
// input.
func IsReshape(n *G.Node) (x *G.Node, ok bool) {
	if n == nil {
		return nil, false
	}
	if _, isReshape := OpOf(n).(*reshapeOp); !isReshape {
		return nil, false
	}
	return Inputs(n)[0], true
}

// IsStateful reports whether op carries state beyond its attributes: a
// train/eval switch (dropout, batch-norm statistics) or a random mask.
// Two stateful ops are the same computation only when they are the same
// op value, whatever their hashes say.
func IsStateful(op G.Op) bool {
	switch op.(type) {
	case G.TrainModeOp, MaskFreezer:
		return true
	}
	return false
}

// IsBCE reports whether n is BCE's elementwise terms, bce(p, t) (the
// node ops.BCE reduces), and returns p and t.
func IsBCE(n *G.Node) (p, t *G.Node, ok bool) {
	if n == nil {
		return nil, nil, false
	}
	if op, isBinary := OpOf(n).(*binaryElemOp); !isBinary || op.name != "bce" {
		return nil, nil, false
	}
	in := Inputs(n)
	return in[0], in[1], true
}

// Inputs returns n's input nodes in argument order (nil for a node outside
// a graph). It is the one inputs helper of the library.
func Inputs(n *G.Node) G.Nodes {
	if n == nil {
		return nil
	}
	g := n.Graph()
	if g == nil {
		return nil
	}
	it := g.From(n.ID())
	out := make(G.Nodes, 0, it.Len())
	for it.Next() {
		if c, ok := it.Node().(*G.Node); ok {
			out = append(out, c)
		}
	}
	return out
}
