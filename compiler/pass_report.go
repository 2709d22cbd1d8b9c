package compiler

import (
	"fmt"
	"io"
	"strings"

	G "gorgonia.org/gorgonia"
)

// PassCount is how often one rule fired while compiling.
type PassCount struct {
	Rule  string // the rule's identity, "log(softmax(x)) -> logsoftmax(x)"
	Phase Phase
	Count int
}

// PassReport says what the pass pipeline did to a forward graph: the rules
// that fired and how often, and the forward graph before (the user's) and
// after (the program's), as text and Graphviz DOT.
type PassReport struct {
	Fired       []PassCount // in pipeline order; the prune phase's count is the user graph's nodes left out
	Sweeps      int         // copies of the graph made (one per phase, plus one per sweep that rewrote)
	NodesBefore int         // nodes the loss and outputs need in the user's graph
	NodesAfter  int         // the same in the program's forward graph

	before, after G.Nodes // the roots: loss and outputs
}

// Count returns how often the rule named name fired.
func (r *PassReport) Count(name string) int {
	for _, f := range r.Fired {
		if f.Rule == name {
			return f.Count
		}
	}
	return 0
}

// WriteText writes the fired rules and both graphs.
func (r *PassReport) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# passes: %d sweeps, forward nodes %d -> %d\n", r.Sweeps, r.NodesBefore, r.NodesAfter)
	if len(r.Fired) == 0 {
		b.WriteString("  (no rule fired)\n")
	}
	for _, f := range r.Fired {
		fmt.Fprintf(&b, "  %-13s %-52s x%d\n", f.Phase, f.Rule, f.Count)
	}
	b.WriteString("# before (the forward graph as built)\n")
	b.WriteString(r.BeforeText())
	b.WriteString("# after (the program's forward graph)\n")
	b.WriteString(r.AfterText())
	_, err := io.WriteString(w, b.String())
	return err
}

// Text returns WriteText's output.
func (r *PassReport) Text() string { return textOf(r.WriteText) }

// textOf returns what write writes.
func textOf(write func(io.Writer) error) string {
	var b strings.Builder
	_ = write(&b)
	return b.String()
}

// BeforeText lists the user's forward graph, one node a line.
func (r *PassReport) BeforeText() string { return graphText(r.before) }

// AfterText lists the program's forward graph, one node a line.
func (r *PassReport) AfterText() string { return graphText(r.after) }

// BeforeDOT is the user's forward graph in Graphviz DOT.
func (r *PassReport) BeforeDOT() string { return graphDOT("before", r.before) }

// AfterDOT is the program's forward graph in Graphviz DOT.
func (r *PassReport) AfterDOT() string { return graphDOT("after", r.after) }

// topoOrder lists what roots need, inputs first.
func topoOrder(roots G.Nodes) G.Nodes {
	var out G.Nodes
	seen := map[*G.Node]bool{}
	var visit func(n *G.Node)
	visit = func(n *G.Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, c := range children(n) {
			visit(c)
		}
		out = append(out, n)
	}
	for _, r := range roots {
		visit(r)
	}
	return out
}

// nodeLabel names a node for printing: its leaf name or its op.
func nodeLabel(n *G.Node) string {
	switch {
	case n.Op() == nil && IsConstant(n):
		return fmt.Sprintf("const %v", n.Value())
	case n.Op() == nil:
		return "leaf " + n.Name()
	case IsConstant(n):
		return n.Op().String()
	}
	return strings.TrimSuffix(n.Op().String(), " false")
}

func graphText(roots G.Nodes) string {
	var b strings.Builder
	for _, n := range topoOrder(roots) {
		fmt.Fprintf(&b, "  %%%-4d %-30s %-12v %-8v %s\n", n.ID(), trim(nodeLabel(n), 30), shapeText(n), n.Dtype(), argsText(n))
	}
	return b.String()
}

func graphDOT(name string, roots G.Nodes) string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n  rankdir=BT;\n  node [fontname=\"monospace\", fontsize=10];\n", name)
	order := topoOrder(roots)
	for _, n := range order {
		style := ""
		if isLeaf(n) {
			style = ", shape=box"
		}
		fmt.Fprintf(&b, "  n%d [label=%q%s];\n", n.ID(), fmt.Sprintf("%%%d %s\n%s", n.ID(), trim(nodeLabel(n), 40), shapeText(n)), style)
	}
	for _, n := range order {
		for _, c := range children(n) {
			fmt.Fprintf(&b, "  n%d -> n%d;\n", c.ID(), n.ID())
		}
	}
	b.WriteString("}\n")
	return b.String()
}

func trim(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
