package rewrite

import (
	"slices"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
)

// Phase names a group of rewrite rules that run together to a fixed point.
type Phase string

// The phases of the pass pipeline, in the order Phases gives.
const (
	// Canonicalize removes identities (x*1, x+0, --x, transposes and
	// reshapes that cancel), folds constant subgraphs and replaces ops with
	// incomplete hashes by symgrad's.
	Canonicalize Phase = "canonicalize"
	// Stabilize replaces numerically fragile patterns with stable ops
	// (log(softmax) -> logsoftmax, log(sigmoid) -> -softplus(-x), ...).
	Stabilize Phase = "stabilize"
	// Fuse merges chains of ops into one op where measurement shows it pays.
	Fuse Phase = "fuse"
	// Prune drops every node the program's roots do not need. It needs no
	// rules: each sweep copies only what the roots need.
	Prune Phase = "prune"
)

// Phases lists the phases in the order the pipeline runs them.
func Phases() []Phase { return []Phase{Canonicalize, Stabilize, Fuse, Prune} }

// Rule is one graph rewrite, a pattern and its replacement. Name states
// the identity it applies, "log(softmax(x)) -> logsoftmax(x)".
//
// Rewrite looks at n, a node of the graph being built whose inputs are
// already rewritten, and returns its replacement built in n's graph (with
// G.ApplyOp or symgrad's ops builders), or nil when the pattern does not
// match. It must never modify n or any existing node. Apply checks that
// the replacement has n's shape and dtype.
//
// The default rules are built from patterns (see Default); a Rule literal
// with a Rewrite function of one's own serves experiments and tests
// (compiler.WithRules).
type Rule struct {
	Name  string
	Phase Phase
	// SecondOrder says the replacement can be differentiated twice
	// wherever the pattern could; rules without it are skipped when
	// compiling for Hessian-vector products (HVP).
	SecondOrder bool
	Rewrite     func(n *G.Node) (*G.Node, error)
	// Doc says why the rule exists and where it stops (docs/rules.md
	// prints it).
	Doc string

	cases []Case // FromCases's, in the order tried
}

// Identities returns the identities a pattern rule applies, its name
// first, in the order tried; a function rule has its name only.
func (r *Rule) Identities() []string {
	if len(r.cases) == 0 {
		return []string{r.Name}
	}
	out := make([]string, len(r.cases))
	for i, c := range r.cases {
		out[i] = c.String()
	}
	return out
}

// Apply runs the rule on n and checks the replacement's shape and dtype:
// nil when the rule does not match, an error when its replacement would
// change what n computes the shape or dtype of, or when it panicked.
func (r *Rule) Apply(n *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "rule %q on node %d (op %v)", r.Name, n.ID(), n.Op())
	out, err = r.Rewrite(n)
	if err != nil {
		return nil, errors.Wrapf(err, "rule %q on node %d (op %v, shape %v)", r.Name, n.ID(), n.Op(), n.Shape())
	}
	if out == nil || out == n {
		return out, nil
	}
	if out.Graph() != n.Graph() {
		return nil, errors.Errorf("rule %q: the replacement of node %d is in another graph", r.Name, n.ID())
	}
	if !SameShape(out, n) || out.Dtype() != n.Dtype() {
		return nil, errors.Errorf("rule %q: replaced node %d %v %v (op %v) with %v %v (op %v)",
			r.Name, n.ID(), n.Shape(), n.Dtype(), n.Op(), out.Shape(), out.Dtype(), out.Op())
	}
	return out, nil
}

// SameShape compares shapes dimension by dimension (tensor.Shape.Eq calls
// (2) and (1, 2) equal; a rewrite must not), with every scalar shape equal
// to every other.
func SameShape(a, b *G.Node) bool {
	if a.IsScalar() || b.IsScalar() {
		return a.IsScalar() && b.IsScalar()
	}
	return slices.Equal(a.Shape(), b.Shape())
}

// Default returns the rules Compile runs, in phase order and, within a
// phase, in the order tried. Every call builds them anew.
func Default() []*Rule {
	var out []*Rule
	for _, phase := range []struct {
		phase Phase
		rules []*Rule
	}{{Canonicalize, canonicalize()}, {Stabilize, stabilize()}, {Fuse, fuse()}} {
		for _, r := range phase.rules {
			r.Phase = phase.phase // the phase is stated here, once
			out = append(out, r)
		}
	}
	return out
}

// Select returns the default rules with the given names, in the order
// named: a subset for compiler.WithRules.
func Select(names ...string) ([]*Rule, error) {
	all := Default()
	out := make([]*Rule, 0, len(names))
	for _, name := range names {
		i := slices.IndexFunc(all, func(r *Rule) bool { return r.Name == name })
		if i < 0 {
			return nil, errors.Errorf("rewrite: no default rule is named %q", name)
		}
		out = append(out, all[i])
	}
	return out, nil
}
