package expr

import (
	"fmt"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// Build adds the nodes computing e to g and returns the node of its value.
// vars binds each variable of e to a node of g (inputs or parameters made
// with compiler.NewInput / compiler.NewParam). Numeric literals used as
// operands become scalar constants (compiler.Constant) of the variables'
// dtype, float64 when e has no variables; all variables must share one
// dtype.
//
// Operators: + - * / elementwise with broadcasting (see the package
// documentation), ^ power (x^2 is square(x), x^c with a literal c is
// Pow(x, c)), @ matrix product (G.Mul: matrix @ matrix, matrix @ vector,
// vector @ matrix, vector @ vector), unary minus. Calls resolve through the
// ops registry: f(a, b, 1, 2) calls ops.Lookup("f").Apply with the node
// arguments a, b and the trailing numeric literals 1, 2 as params; when
// fewer node arguments than the op's MinNodes are written, the first
// literals become scalar constant nodes instead.
//
// Semantic errors are *BuildError values carrying the line and column of
// the offending variable, call or operator.
func Build(g *G.ExprGraph, e *Expr, vars map[string]*G.Node) (n *G.Node, err error) {
	if g == nil || e == nil {
		return nil, errors.New("expr: Build needs a graph and an expression")
	}
	defer panics.Recover(&err, "expr: building %s", e)
	b := &builder{g: g, vars: vars}
	if b.dt, err = b.dtype(e); err != nil {
		return nil, err
	}
	return b.build(e.root)
}

// builder holds the state of one Build.
type builder struct {
	g    *G.ExprGraph
	vars map[string]*G.Node
	dt   tensor.Dtype
}

// dtype checks the variables of e and returns their common float dtype.
// Integer variables (class indices for crossentropy and nll) are left out:
// they only feed ops that take them as such.
func (b *builder) dtype(e *Expr) (tensor.Dtype, error) {
	dt, first := tensor.Float64, ""
	var err error
	walk(e.root, func(t *term) {
		if t.kind != varKind || err != nil {
			return
		}
		n, ok := b.vars[t.name]
		switch {
		case !ok || n == nil:
			err = buildErr(t, nil, "unknown variable %q", t.name)
		case n.Graph() != b.g:
			err = buildErr(t, nil, "variable %q belongs to another graph", t.name)
		case n.Dtype() == tensor.Int64:
		case first == "":
			dt, first = n.Dtype(), t.name
		case n.Dtype() != dt:
			err = buildErr(t, nil, "variable %q has dtype %v but %q has %v", t.name, n.Dtype(), first, dt)
		}
	})
	if err == nil && dt != tensor.Float64 && dt != tensor.Float32 {
		err = errors.Errorf("expr: variables have dtype %v; float64 or float32 is needed", dt)
	}
	return dt, err
}

// walk calls f on every term of t in source order.
func walk(t *term, f func(*term)) {
	f(t)
	for _, a := range t.args {
		walk(a, f)
	}
}

func (b *builder) build(t *term) (*G.Node, error) {
	switch t.kind {
	case numKind:
		return b.constant(t, t.value)
	case varKind:
		return b.vars[t.name], nil
	case negKind:
		if v, ok := literal(t); ok {
			return b.constant(t, v)
		}
		x, err := b.build(t.args[0])
		if err != nil {
			return nil, err
		}
		return b.apply(t, G.Nodes{x}, func(in G.Nodes) (*G.Node, error) { return G.Neg(in[0]) }, "-%v", x.Shape())
	case binKind:
		return b.binary(t)
	case callKind:
		return b.call(t)
	}
	return nil, buildErr(t, nil, "unknown term")
}

// literal reports whether t is a number or a negated number, and its value.
func literal(t *term) (float64, bool) {
	switch {
	case t.kind == numKind:
		return t.value, true
	case t.kind == negKind && t.args[0].kind == numKind:
		return -t.args[0].value, true
	}
	return 0, false
}

// constant makes a scalar constant of the builder's dtype.
func (b *builder) constant(t *term, v float64) (*G.Node, error) {
	var c any = v
	if b.dt == tensor.Float32 {
		c = float32(v)
	}
	n, err := compiler.Constant(b.g, c)
	if err != nil {
		return nil, buildErr(t, err, "constant %s", formatNum(v))
	}
	return n, nil
}

// apply builds f(in), turning an error or a Gorgonia panic into a
// BuildError at t whose message starts with what (formatted with args).
// f runs through compiler.BuildIsolated, so that a hash collision in a
// large expression cannot merge the new node with a different one.
func (b *builder) apply(t *term, in G.Nodes, f func(G.Nodes) (*G.Node, error), what string, args ...any) (*G.Node, error) {
	var n *G.Node
	err := panics.Call(func() error {
		out, err := compiler.BuildIsolated(in, func(in G.Nodes) (G.Nodes, error) {
			n, err := f(in)
			return G.Nodes{n}, err
		})
		if err == nil {
			n = out[0]
		}
		return err
	}, "gorgonia")
	if err != nil {
		return nil, buildErr(t, err, what, args...)
	}
	return n, nil
}

func (b *builder) binary(t *term) (*G.Node, error) {
	if t.op == '+' && t.args[0].kind == binKind && t.args[0].op == '+' {
		return b.sum(t)
	}
	x, err := b.build(t.args[0])
	if err != nil {
		return nil, err
	}
	if t.op == '^' {
		if c, ok := literal(t.args[1]); ok {
			return b.power(t, x, c)
		}
	}
	y, err := b.build(t.args[1])
	if err != nil {
		return nil, err
	}
	if t.op == '@' {
		return b.matmul(t, x, y)
	}
	return b.elementwise(t, x, y)
}

// power builds x^c for a literal c: square(x) when c is 2, else
// Pow(x, c) with a scalar constant c. Gorgonia's Pow gradient,
// c * x^(c-1), is checked numerically in the tests (also for negative x
// with an integer c); the unused gradient with respect to the exponent,
// x^c * log(x), is NaN for x <= 0, which does not reach any variable.
func (b *builder) power(t *term, x *G.Node, c float64) (*G.Node, error) {
	if c == 2 {
		return b.apply(t, G.Nodes{x}, func(in G.Nodes) (*G.Node, error) { return G.Square(in[0]) }, "%v^2", x.Shape())
	}
	cn, err := b.constant(t.args[1], c)
	if err != nil {
		return nil, err
	}
	return b.apply(t, G.Nodes{x, cn}, func(in G.Nodes) (*G.Node, error) { return G.Pow(in[0], in[1]) }, "%v^%s", x.Shape(), formatNum(c))
}

// call resolves t through the ops registry.
func (b *builder) call(t *term) (*G.Node, error) {
	spec, ok := ops.Lookup(t.name)
	if !ok {
		return nil, buildErr(t, nil, "unknown function %q", t.name)
	}
	split := len(t.args)
	for split > 0 {
		if _, lit := literal(t.args[split-1]); !lit {
			break
		}
		split--
	}
	for split < len(t.args) && split < spec.MinNodes {
		split++ // too few tensor arguments: this literal is a constant operand
	}
	nodes := make([]*G.Node, 0, split)
	shapes := make([]string, 0, split)
	for _, a := range t.args[:split] {
		n, err := b.build(a)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
		shapes = append(shapes, fmt.Sprint(n.Shape()))
	}
	var params []float64
	for _, a := range t.args[split:] {
		v, _ := literal(a)
		params = append(params, v)
	}
	return b.apply(t, nodes, func(in G.Nodes) (*G.Node, error) { return spec.Apply(in, params) },
		"%s of shapes %s", t.name, strings.Join(shapes, ", "))
}

// sum builds a chain a + b + c + ... (t and its left operands that are
// "+" too) left to right, as written (the floating-point sum PyTorch
// computes), without recursing down the chain: the cost of looking at the
// chain is one pass over it, and each addition is built in isolation
// (compiler.BuildIsolated), in time independent of the graph's size.
func (b *builder) sum(t *term) (*G.Node, error) {
	var plus, operands []*term // operands right to left, plus[i] adds operands[i]
	cur := t
	for cur.kind == binKind && cur.op == '+' {
		plus, operands = append(plus, cur), append(operands, cur.args[1])
		cur = cur.args[0]
	}
	operands = append(operands, cur)
	acc, err := b.build(cur)
	if err != nil {
		return nil, err
	}
	for i := len(plus) - 1; i >= 0; i-- {
		y, err := b.build(operands[i])
		if err != nil {
			return nil, err
		}
		if acc, err = b.elementwise(plus[i], acc, y); err != nil {
			return nil, err
		}
	}
	return acc, nil
}
