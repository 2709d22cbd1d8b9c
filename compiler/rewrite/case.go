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
