package expr

import (
	"math"
	"strconv"
	"strings"
)

// kind is the kind of a term (a node of the expression tree).
type kind uint8

const (
	numKind  kind = iota // a numeric literal
	varKind              // a variable
	negKind              // unary minus
	binKind              // a binary operator: + - * / ^ @
	callKind             // a function call
)

// term is a node of an expression tree. Parse makes trees; Format makes
// trees (shared subterms allowed) that carry the shapes of graph nodes.
type term struct {
	kind      kind
	op        byte    // binKind: '+', '-', '*', '/', '^' or '@'
	name      string  // varKind, callKind
	value     float64 // numKind
	args      []*term // operands or call arguments
	line, col int     // source position (Parse only)
	shape     []int   // Format only: the graph node's shape; nil if unknown
}

// Expr is a parsed expression.
type Expr struct {
	root *term
	vars []string
}

func newExpr(root *term) *Expr {
	e := &Expr{root: root}
	seen := map[string]bool{}
	var walk func(t *term)
	walk = func(t *term) {
		if t.kind == varKind && !seen[t.name] {
			seen[t.name] = true
			e.vars = append(e.vars, t.name)
		}
		for _, a := range t.args {
			walk(a)
		}
	}
	walk(root)
	return e
}

// Vars returns the variable names of e in order of first appearance
// (function names are not variables).
func (e *Expr) Vars() []string { return append([]string(nil), e.vars...) }

// String returns the canonical text of e: numbers in shortest form, spaces
// around + - @, none around * / ^, and only the parentheses that precedence
// and associativity require. Parse(e.String()) gives the same tree.
func (e *Expr) String() string { return e.root.String() }

// Precedence levels, lowest first.
const (
	precAdd   = 1 // + -
	precMul   = 2 // * / @
	precUnary = 3 // unary minus (and negative numbers)
	precPow   = 4 // ^
	precAtom  = 5 // numbers, names, calls
)

func (t *term) prec() int {
	switch t.kind {
	case numKind:
		if t.value < 0 || (t.value == 0 && math.Signbit(t.value)) {
			return precUnary
		}
		return precAtom
	case negKind:
		return precUnary
	case binKind:
		switch t.op {
		case '+', '-':
			return precAdd
		case '^':
			return precPow
		}
		return precMul
	}
	return precAtom
}

// String prints t with minimal parentheses.
func (t *term) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t *term) write(b *strings.Builder) {
	switch t.kind {
	case numKind:
		b.WriteString(formatNum(t.value))
	case varKind:
		b.WriteString(t.name)
	case negKind:
		b.WriteByte('-')
		writeOperand(b, t.args[0], t.args[0].prec() < precUnary)
	case binKind:
		t.writeBinary(b)
	case callKind:
		b.WriteString(t.name)
		b.WriteByte('(')
		for i, a := range t.args {
			if i > 0 {
				b.WriteString(", ")
			}
			a.write(b)
		}
		b.WriteByte(')')
	}
}

func (t *term) writeBinary(b *strings.Builder) {
	left, right := t.args[0], t.args[1]
	p := t.prec()
	if t.op == '^' {
		// Right-associative, and its right operand is a unary: 2^3^2 and
		// x^-1 need no parentheses, (2^3)^2 and (-x)^2 do.
		writeOperand(b, left, left.prec() <= precPow)
		b.WriteByte('^')
		writeOperand(b, right, right.prec() < precUnary)
		return
	}
	writeOperand(b, left, left.prec() < p)
	switch t.op {
	case '+', '-', '@':
		b.WriteByte(' ')
		b.WriteByte(t.op)
		b.WriteByte(' ')
	default:
		b.WriteByte(t.op)
	}
	writeOperand(b, right, right.prec() <= p)
}

func writeOperand(b *strings.Builder, t *term, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	t.write(b)
	if paren {
		b.WriteByte(')')
	}
}

// formatNum prints v in the shortest form that parses back to v: integers
// below 1e15 without an exponent, others in Go's %g style. Non-finite
// values (which only Format can produce) print as inf and nan.
func formatNum(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case math.IsNaN(v):
		return "nan"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// VarArg is a variable passed directly as an argument of a function call,
// as in log(x): Func is the function's name, Index the argument's position.
type VarArg struct {
	Func  string
	Index int
	Var   string
}

// VarArgs lists every variable that is passed directly to a function, in
// order of appearance (x twice in log(x) + sqrt(x)). gradcheck's CLI reads
// it to draw each variable from the domain of the ops it feeds.
func (e *Expr) VarArgs() []VarArg {
	var out []VarArg
	var walk func(t *term)
	walk = func(t *term) {
		if t.kind == callKind {
			for i, a := range t.args {
				if a.kind == varKind {
					out = append(out, VarArg{Func: t.name, Index: i, Var: a.name})
				}
			}
		}
		for _, a := range t.args {
			walk(a)
		}
	}
	walk(e.root)
	return out
}
