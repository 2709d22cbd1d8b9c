package rewrite

import (
	G "gorgonia.org/gorgonia"
)

// Case is one identity of a rule: a pattern, the replacement as it reads
// (To) and the function that builds it from what the pattern bound (nil:
// no replacement after all). Build gets n, the matched node, too.
type Case struct {
	From  *Pattern
	To    string
	Build func(m *Match, n *G.Node) (*G.Node, error)
}

// String is the identity the case applies, "log(exp(x)) -> x".
func (c Case) String() string { return c.From.String() + " -> " + c.To }

// FromCases makes the rule that tries the cases in order, named by the
// first. Its phase is set by the table that lists it (Default).
func FromCases(secondOrder bool, cases ...Case) *Rule {
	return &Rule{Name: cases[0].String(), SecondOrder: secondOrder, cases: cases, Rewrite: func(n *G.Node) (*G.Node, error) {
		for _, c := range cases {
			var m Match
			if !c.From.Match(n, &m) {
				continue
			}
			out, err := c.Build(&m, n)
			if out != nil || err != nil {
				return out, err
			}
		}
		return nil, nil
	}}
}

// documented sets r's Doc.
func documented(doc string, r *Rule) *Rule {
	r.Doc = doc
	return r
}

// named makes a rule that is a function rather than a pattern (constant
// folding, static sizes); name states its identity all the same.
func named(name, doc string, secondOrder bool, rewrite func(n *G.Node) (*G.Node, error)) *Rule {
	return &Rule{Name: name, Doc: doc, SecondOrder: secondOrder, Rewrite: rewrite}
}

// same is the replacement by the node bound to name, where it can stand
// in for n (the same shape and dtype).
func same(name string) func(m *Match, n *G.Node) (*G.Node, error) {
	return func(m *Match, n *G.Node) (*G.Node, error) {
		if x := m.Node(name); fits(x, n) {
			return x, nil
		}
		return nil, nil
	}
}

// applied is the replacement steps[k-1](...steps[0](x)) of the node bound
// to "x", where x can stand in for n: the stable form of a unary chain,
// such as -softplus(-x) for log σ(x).
func applied(steps ...func(*G.Node) (*G.Node, error)) func(m *Match, n *G.Node) (*G.Node, error) {
	return func(m *Match, n *G.Node) (*G.Node, error) {
		x := m.Node("x")
		if !fits(x, n) {
			return nil, nil
		}
		for _, step := range steps {
			var err error
			if x, err = step(x); err != nil {
				return nil, err
			}
		}
		return x, nil
	}
}
