package compiler

import (
	"fmt"
	"io"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/graphindex"
	"github.com/symgrad/symgrad/ops"
)

// nodeKind names what a node is for printing: a parameter, a data input, a
// constant, or the op it applies.
func (p *Program) nodeKind(n *G.Node) string {
	switch {
	case containsNode(p.params, n):
		return "param " + n.Name()
	case IsConstant(n):
		if n.Op() == nil {
			return "const " + n.Name()
		}
		return n.Op().String()
	case n.IsVar():
		return "input " + n.Name()
	}
	return n.Op().String()
}

// executionOrder lists the training program's nodes, inputs first, without
// the Read statements through which values leave the machine.
func (p *Program) executionOrder() G.Nodes {
	r := p.train
	if r == nil { // an inference-only program
		r = p.infer
	}
	sorted, err := graphindex.Sort(r.Graph())
	if err != nil {
		return r.Graph().AllNodes()
	}
	out := make(G.Nodes, 0, len(sorted))
	for i := len(sorted) - 1; i >= 0; i-- {
		if n := sorted[i]; !isRead(n) {
			out = append(out, n)
		}
	}
	return out
}

func isRead(n *G.Node) bool { return ops.KindOf(n) == ops.KindRead }

// WriteText writes one line per node of the training program: id, what the
// node is, its shape and dtype, and its inputs. Forward and gradient nodes
// are listed under separate headings; the last section pairs each
// parameter with its gradient node.
func (p *Program) WriteText(w io.Writer) error {
	var fwd, grad G.Nodes
	for _, n := range p.executionOrder() {
		if p.gradNodes[n] {
			grad = append(grad, n)
		} else {
			fwd = append(fwd, n)
		}
	}
	var b strings.Builder
	p.writeSection(&b, "forward", fwd)
	p.writeSection(&b, "gradient", grad)
	if p.loss == nil {
		fmt.Fprintf(&b, "# inference only: no loss")
	} else {
		fmt.Fprintf(&b, "# loss %%%d", p.loss.ID())
	}
	if p.objective != p.loss {
		fmt.Fprintf(&b, ", objective (loss + penalties) %%%d", p.objective.ID())
	}
	fmt.Fprintf(&b, "\n# parameters -> gradients\n")
	for i, n := range p.params {
		if i >= len(p.grads) { // inference only
			fmt.Fprintf(&b, "  %-20s %%%d (no gradient)\n", n.Name(), n.ID())
			continue
		}
		fmt.Fprintf(&b, "  %-20s %%%d -> %%%d\n", n.Name(), n.ID(), p.grads[i].ID())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Text returns WriteText's output as a string.
func (p *Program) Text() string { return textOf(p.WriteText) }

func (p *Program) writeSection(b *strings.Builder, title string, nodes G.Nodes) {
	fmt.Fprintf(b, "# %s (%d nodes)\n", title, len(nodes))
	for _, n := range nodes {
		fmt.Fprintf(b, "  %%%-4d %-28s %-12v %-8v %s\n", n.ID(), p.nodeKind(n), shapeText(n), n.Dtype(), argsText(n))
	}
}

// argsText lists n's inputs by id ("<- %3, %7"), or is empty for a leaf:
// the last column of the program and pass listings.
func argsText(n *G.Node) string {
	in := children(n)
	if len(in) == 0 {
		return ""
	}
	ids := make([]string, len(in))
	for i, c := range in {
		ids[i] = fmt.Sprintf("%%%d", c.ID())
	}
	return "<- " + strings.Join(ids, ", ")
}

func shapeText(n *G.Node) string {
	if n.IsScalar() {
		return "()"
	}
	return fmt.Sprint(n.Shape())
}

// DOT returns the training program as a Graphviz digraph. Forward nodes are
// white ellipses, parameters green boxes, inputs blue boxes, and gradient
// nodes orange and dashed, inside their own cluster; edges point from an
// input to the node that uses it.
func (p *Program) DOT() string {
	var b strings.Builder
	b.WriteString("digraph program {\n  rankdir=BT;\n  node [fontname=\"monospace\", fontsize=10];\n")
	var grad G.Nodes
	order := p.executionOrder()
	for _, n := range order {
		if p.gradNodes[n] {
			grad = append(grad, n)
			continue
		}
		fmt.Fprintf(&b, "  n%d [label=%q%s];\n", n.ID(), p.dotLabel(n), p.dotStyle(n))
	}
	b.WriteString("  subgraph cluster_gradient {\n    label=\"gradient\"; style=dashed; color=darkorange;\n")
	for _, n := range grad {
		fmt.Fprintf(&b, "    n%d [label=%q, style=\"filled,dashed\", fillcolor=orange];\n", n.ID(), p.dotLabel(n))
	}
	b.WriteString("  }\n")
	for _, n := range order {
		for _, c := range children(n) {
			fmt.Fprintf(&b, "  n%d -> n%d;\n", c.ID(), n.ID())
		}
	}
	for i, n := range p.params {
		fmt.Fprintf(&b, "  n%d -> n%d [style=dotted, color=darkorange, label=\"grad\", constraint=false];\n", p.grads[i].ID(), n.ID())
	}
	b.WriteString("}\n")
	return b.String()
}

func (p *Program) dotLabel(n *G.Node) string {
	return fmt.Sprintf("%%%d %s\n%s", n.ID(), p.nodeKind(n), shapeText(n))
}

func (p *Program) dotStyle(n *G.Node) string {
	switch {
	case containsNode(p.params, n):
		return ", shape=box, style=filled, fillcolor=palegreen"
	case IsConstant(n):
		return ", shape=box, style=filled, fillcolor=lightgrey"
	case n.IsVar():
		return ", shape=box, style=filled, fillcolor=lightblue"
	case n == p.loss || n == p.objective:
		return ", style=filled, fillcolor=gold"
	}
	return ""
}
