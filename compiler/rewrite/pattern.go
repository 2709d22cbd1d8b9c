package rewrite

import (
	"strconv"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"
)

// Pattern is the left side of a rule: a tree over op kinds whose leaves
// are variables (V: any node, bound by name) and scalar constants (C).
// Patterns are values built once and never changed: every method returns
// a new Pattern.
//
// A node matches Op(k, args...) when its op is of kind k (ops.Identify),
// it has len(args) inputs and each input matches its pattern; a variable
// that appears twice must match the same node both times. Matching never
// reads an op's printed form.
type Pattern struct {
	label string // what String prints for the op: "log", "+", "softmax_G"
	form  form
	note  string                          // extra printed arguments: "p", "shape(x)"
	match func(n *G.Node) (G.Nodes, bool) // the op test: the nodes the args match, in order
	args  []*Pattern
	alts  []*Pattern // OneOf: tried in order, printed as the first

	variable bool
	constant bool
	value    float64

	name string               // the variable's name, or the name As binds the node to
	cond func(n *G.Node) bool // If: a condition on the matched node
}

type form uint8

const (
	call   form = iota // label(args, note)
	infix              // args[0] label args[1]
	prefix             // label args[0]
)

// V is the variable name: it matches any node and binds it to name.
func V(name string) *Pattern { return &Pattern{variable: true, name: name, label: name} }

// C matches a scalar constant equal to v.
func C(v float64) *Pattern {
	return &Pattern{constant: true, value: v, label: strconv.FormatFloat(v, 'g', -1, 64)}
}

// Op matches a node of op kind k whose inputs match args. Gorgonia's
// arithmetic prints infix (x + y, x * y for the elementwise product, x @
// y for the matrix product) and its negation prefix (-x); every other
// kind prints as a call, under the kind's name.
func Op(k ops.Kind, args ...*Pattern) *Pattern {
	p := &Pattern{label: k.String(), args: args, match: func(n *G.Node) (G.Nodes, bool) {
		if ops.KindOf(n) != k {
			return nil, false
		}
		return ops.Inputs(n), true
	}}
	if sym, ok := infixSymbols[k]; ok && len(args) == 2 {
		p.label, p.form = sym, infix
	}
	if k == ops.KindNeg && len(args) == 1 {
		p.label, p.form = "-", prefix
	}
	return p
}

// infixSymbols are the kinds printed between their operands.
var infixSymbols = map[ops.Kind]string{ops.KindAdd: "+", ops.KindSub: "-", ops.KindMul: "*",
	ops.KindDiv: "/", ops.KindPow: "^", ops.KindMatMul: "@"}

// Composite matches a subgraph that ops recognises as one function (a
// log-softmax, a pick of class scores): match returns the subgraph's
// inputs, which args then match. It prints as label(args).
func Composite(label string, match func(n *G.Node) (G.Nodes, bool), args ...*Pattern) *Pattern {
	return &Pattern{label: label, match: match, args: args}
}

// OneOf matches what the first matching alternative matches; it prints as
// the first alternative.
func OneOf(alts ...*Pattern) *Pattern { return &Pattern{alts: alts, label: alts[0].String()} }

// If adds a condition on the matched node.
func (p *Pattern) If(cond func(n *G.Node) bool) *Pattern {
	q := *p
	if prev := p.cond; prev != nil {
		q.cond = func(n *G.Node) bool { return prev(n) && cond(n) }
	} else {
		q.cond = cond
	}
	return &q
}

// As binds the matched node to name, for the replacement to read.
func (p *Pattern) As(name string) *Pattern { q := *p; q.name = name; return &q }

// Labeled prints the op as label instead of its kind's name.
func (p *Pattern) Labeled(label string) *Pattern { q := *p; q.label = label; return &q }

// Noted prints note after the arguments: transpose(x, p), reshape(x,
// shape(x)).
func (p *Pattern) Noted(note string) *Pattern { q := *p; q.note = note; return &q }

// String prints the pattern in the notation rules are named in.
func (p *Pattern) String() string {
	var b strings.Builder
	p.write(&b)
	return b.String()
}

func (p *Pattern) write(b *strings.Builder) {
	if p.variable || p.constant || p.alts != nil {
		b.WriteString(p.label)
		return
	}
	switch p.form {
	case infix:
		p.args[0].writeOperand(b)
		b.WriteString(" " + p.label + " ")
		p.args[1].writeOperand(b)
	case prefix:
		b.WriteString(p.label)
		p.args[0].writeOperand(b)
	default:
		b.WriteString(p.label + "(")
		for i, a := range p.args {
			if i > 0 {
				b.WriteString(", ")
			}
			a.write(b)
		}
		if p.note != "" {
			if len(p.args) > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p.note)
		}
		b.WriteString(")")
	}
}

// writeOperand parenthesises an infix operand of an operator.
func (p *Pattern) writeOperand(b *strings.Builder) {
	if p.form == infix && !p.variable && !p.constant && p.alts == nil {
		b.WriteString("(")
		p.write(b)
		b.WriteString(")")
		return
	}
	p.write(b)
}

// maxBindings bounds the names one pattern binds (a fixed array: matching
// allocates nothing).
const maxBindings = 8

// Match is what a pattern bound: names to nodes.
type Match struct {
	names [maxBindings]string
	nodes [maxBindings]*G.Node
	n     int
}

// Node returns the node bound to name, nil if none is.
func (m *Match) Node(name string) *G.Node {
	for i := range m.n {
		if m.names[i] == name {
			return m.nodes[i]
		}
	}
	return nil
}

// bind binds name to n, or reports whether it is bound to n already.
func (m *Match) bind(name string, n *G.Node) bool {
	if prev := m.Node(name); prev != nil {
		return prev == n
	}
	if m.n == maxBindings {
		return false
	}
	m.names[m.n], m.nodes[m.n] = name, n
	m.n++
	return true
}

// Match reports whether n matches p, adding p's bindings to m (and
// leaving m as it was when n does not match).
func (p *Pattern) Match(n *G.Node, m *Match) bool {
	mark := m.n
	if !p.matchNode(n, m) {
		m.n = mark
		return false
	}
	return true
}

func (p *Pattern) matchNode(n *G.Node, m *Match) bool {
	switch {
	case n == nil:
		return false
	case p.alts != nil:
		if !p.matchAlt(n, m) {
			return false
		}
	case p.variable:
	case p.constant:
		if !isConst(n, p.value) {
			return false
		}
	default:
		in, ok := p.match(n)
		if !ok || len(in) != len(p.args) {
			return false
		}
		for i, a := range p.args {
			if !a.Match(in[i], m) {
				return false
			}
		}
	}
	if p.cond != nil && !p.cond(n) {
		return false
	}
	return p.name == "" || m.bind(p.name, n)
}

func (p *Pattern) matchAlt(n *G.Node, m *Match) bool {
	for _, a := range p.alts {
		if a.Match(n, m) {
			return true
		}
	}
	return false
}
