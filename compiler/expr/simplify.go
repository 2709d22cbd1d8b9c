package expr

import (
	"math"
	"slices"

	"github.com/symgrad/symgrad/ops"
)

// maxRewriteRounds bounds the passes of simplify; each pass rewrites every
// term until no rule fires at it, and a fixed point usually takes two.
const maxRewriteRounds = 50

// rule is one rewrite: apply returns the replacement of t, or nil when the
// rule does not match. A rule is named by the identity it implements,
// "pattern -> replacement", in the expression language (x, y stand for
// any terms, numbers for numbers; TestSimplifyRuleNames parses each name
// and checks that the rule turns its pattern into its replacement).
type rule struct {
	name  string
	apply func(t *term) *term
	// shapes marks a rule that needs the terms' shapes, which parsed text
	// lacks: its name is parsed but not rewritten by the test.
	shapes bool
}

// rules are tried in order at every term, bottom-up, to a fixed point.
var rules = []rule{
	{name: "2*3 + 1 -> 7", apply: foldConstant},
	{name: "x*1 -> x", apply: onBin('*', func(x, y *term) *term { return when(isNum(y, 1), x) })},
	{name: "1*x -> x", apply: onBin('*', func(x, y *term) *term { return when(isNum(x, 1), y) })},
	{name: "x + 0 -> x", apply: onBin('+', func(x, y *term) *term { return when(isNum(y, 0), x) })},
	{name: "0 + x -> x", apply: onBin('+', func(x, y *term) *term { return when(isNum(x, 0), y) })},
	{name: "x - 0 -> x", apply: onBin('-', func(x, y *term) *term { return when(isNum(y, 0), x) })},
	{name: "0 - x -> -x", apply: onBin('-', func(x, y *term) *term { return whenf(isNum(x, 0), func() *term { return neg(y) }) })},
	{name: "x/1 -> x", apply: onBin('/', func(x, y *term) *term { return when(isNum(y, 1), x) })},
	{name: "x^1 -> x", apply: onBin('^', func(x, y *term) *term { return when(isNum(y, 1), x) })},
	{name: "--x -> x", apply: doubleNegation},
	{name: "x + -y -> x - y", apply: onBin('+', minusOperand('-'))},
	{name: "x - -y -> x + y", apply: onBin('-', minusOperand('+'))},
	{name: "x + -2 -> x - 2", apply: onBin('+', negativeNumber('-'))},
	{name: "x - -2 -> x + 2", apply: onBin('-', negativeNumber('+'))},
	{name: "x + -3*y -> x - 3*y", apply: onBin('+', negativeCoefficient('-'))},
	{name: "x - -3*y -> x + 3*y", apply: onBin('-', negativeCoefficient('+'))},
	{name: "x*x -> x^2", apply: selfProduct},
	{name: "x^2*3*x -> 3*x^3", apply: collectCoefficient},
	{name: "-(3*x) -> -3*x", apply: collectNegatedCoefficient},
	{name: "(6*x)/4 -> 1.5*x", apply: coefficientQuotient},
	{name: "2*x + 3*x -> 5*x", apply: onBin('+', likeTerms('+'))},
	{name: "3*x - x -> 2*x", apply: onBin('-', likeTerms('-'))},
	{name: "-x + y -> y - x", apply: onBin('+', leadingNegation)},
	{name: "x*(1/y) -> x/y", apply: onBin('*', func(x, y *term) *term { return whenf(isRecip(y), func() *term { return bin('/', x, y.args[1]) }) })},
	{name: "(1/y)*x -> x/y", apply: onBin('*', func(x, y *term) *term { return whenf(isRecip(x), func() *term { return bin('/', y, x.args[1]) }) })},
	{name: "x/x -> 1", apply: onBin('/', selfQuotient)},
	{name: "(y*x)/x -> y", apply: onBin('/', cancelFactor(1))},
	{name: "(x*y)/x -> y", apply: onBin('/', cancelFactor(0))},
	{name: "reshape(x, shape(x)) -> x", apply: reshapeToOwnShape, shapes: true},
	{name: "reshape(reshape(x, 1, 6), 6) -> reshape(x, 6)", apply: reshapeOfReshape},
	{name: "repeat(x, 0, 4) + y -> x + y", apply: implicitBroadcast, shapes: true},
}

// simplify rewrites t with rules until nothing changes.
func simplify(t *term) *term { return simplifyTraced(t, nil) }

// simplifyTraced is simplify calling fired (when not nil) with the name of
// every rule that fires.
func simplifyTraced(t *term, fired func(rule string)) *term {
	for range maxRewriteRounds {
		s := &simplifier{memo: map[*term]*term{}, fired: fired}
		u := s.term(t)
		t = u
		if !s.changed {
			break
		}
	}
	return t
}

// simplifier is one bottom-up pass; memo keeps shared subterms shared.
type simplifier struct {
	memo    map[*term]*term
	changed bool
	fired   func(rule string)
}

func (s *simplifier) term(t *term) *term {
	if u, ok := s.memo[t]; ok {
		return u
	}
	u := t
	for i, a := range t.args {
		if b := s.term(a); b != a {
			if u == t {
				c := *t
				c.args = slices.Clone(t.args)
				u = &c
			}
			u.args[i] = b
		}
	}
	for fired := true; fired; {
		fired = false
		for _, r := range rules {
			if v := r.apply(u); v != nil {
				if v.shape == nil {
					v.shape = u.shape
				}
				u, fired, s.changed = v, true, true
				if s.fired != nil {
					s.fired(r.name)
				}
				break
			}
		}
	}
	s.memo[t] = u
	return u
}

func isNum(t *term, v float64) bool { return t.kind == numKind && t.value == v }

// foldConstant evaluates all-constant terms:
//
//	c1 op c2 -> c (op in + - * / ^), -c -> (-c), f(c) -> f(c) for the
//	elementwise functions of math, repeat(c, ...) -> c, reshape(c, ...) -> c
//
// (a constant tensor of equal elements is written as that number; elementwise
// operators broadcast it). Results that are not finite are not folded.
func foldConstant(t *term) *term {
	var v float64
	switch {
	case t.kind == negKind && t.args[0].kind == numKind:
		v = -t.args[0].value
	case t.kind == binKind && t.op != '@' && t.args[0].kind == numKind && t.args[1].kind == numKind:
		v = arith(t.op, t.args[0].value, t.args[1].value)
	case t.kind == callKind && len(t.args) > 0 && t.args[0].kind == numKind &&
		(t.name == "repeat" || t.name == "reshape"):
		return t.args[0]
	case t.kind == callKind && len(t.args) == 1 && t.args[0].kind == numKind:
		f, ok := mathFuncs[t.name]
		if !ok {
			return nil
		}
		v = f(t.args[0].value)
	default:
		return nil
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return num(v)
}

func arith(op byte, a, b float64) float64 {
	switch op {
	case '+':
		return a + b
	case '-':
		return a - b
	case '*':
		return a * b
	case '/':
		return a / b
	}
	return math.Pow(a, b)
}

var mathFuncs = map[string]func(float64) float64{
	"exp": math.Exp, "log": math.Log, "log2": math.Log2, "log1p": math.Log1p, "expm1": math.Expm1,
	"sqrt": math.Sqrt, "abs": math.Abs, "tanh": math.Tanh, "sin": math.Sin, "cos": math.Cos,
	"invsqrt":  func(x float64) float64 { return 1 / math.Sqrt(x) },
	"square":   func(x float64) float64 { return x * x },
	"sigmoid":  func(x float64) float64 { return 1 / (1 + math.Exp(-x)) },
	"softplus": func(x float64) float64 { return math.Log1p(math.Exp(x)) },
}

// negateLeading returns the product y with its leading negative
// coefficient made positive (-3*a*b -> 3*a*b), nil when y has none.
func negateLeading(y *term) *term {
	if y.kind != binKind || y.op != '*' {
		return nil
	}
	l := y.args[0]
	if l.kind == numKind && l.value < 0 {
		return bin('*', num(-l.value), y.args[1])
	}
	if inner := negateLeading(l); inner != nil {
		return bin('*', inner, y.args[1])
	}
	return nil
}

// selfProduct writes a product of a term with itself as a power:
//
//	x*x -> x^2
func selfProduct(t *term) *term {
	if t.kind == binKind && t.op == '*' && t.args[0].kind != numKind && equal(t.args[0], t.args[1]) {
		return bin('^', t.args[0], num(2))
	}
	return nil
}

// implicitBroadcast drops the explicit broadcasting that Gorgonia's
// Broadcast* ops (and Build) insert, since the written broadcasting rule
// implies it: in an elementwise x op y,
//
//	repeat(x, axis, n) -> x, reshape(x, 1, ..., 1, shape(x)...) -> x
//
// when x still broadcasts against y to the same result shape.
func implicitBroadcast(t *term) *term {
	if t.kind != binKind || t.op == '@' || t.shape == nil {
		return nil
	}
	for i := range 2 {
		x, other := t.args[i], t.args[1-i]
		inner := stripBroadcast(x)
		if inner == nil || inner.shape == nil || other.shape == nil {
			continue
		}
		out, _, _, err := ops.BroadcastShapes(inner.shape, other.shape)
		if err != nil || !slices.Equal(out, t.shape) {
			continue
		}
		args := []*term{t.args[0], t.args[1]}
		args[i] = inner
		u := bin(t.op, args[0], args[1])
		u.shape = t.shape
		return u
	}
	return nil
}

// stripBroadcast returns the operand of a repeat, or of a reshape that
// only adds leading 1-axes; nil for other terms.
func stripBroadcast(x *term) *term {
	if x.kind != callKind || len(x.args) == 0 {
		return nil
	}
	inner := x.args[0]
	switch x.name {
	case "repeat":
		return inner
	case "reshape":
		if x.shape == nil || inner.shape == nil || len(x.shape) < len(inner.shape) {
			return nil
		}
		k := len(x.shape) - len(inner.shape)
		for _, d := range x.shape[:k] {
			if d != 1 {
				return nil
			}
		}
		if slices.Equal(x.shape[k:], inner.shape) {
			return inner
		}
	}
	return nil
}

// equal reports whether a and b are the same expression.
func equal(a, b *term) bool {
	if a == b {
		return true
	}
	if a.kind != b.kind || a.op != b.op || a.name != b.name || len(a.args) != len(b.args) ||
		math.Float64bits(a.value) != math.Float64bits(b.value) {
		return false
	}
	for i := range a.args {
		if !equal(a.args[i], b.args[i]) {
			return false
		}
	}
	return true
}

// mergePowers combines factors x^a and x^b (a, b numbers; x alone is x^1)
// into x^(a+b), keeping the position of the first.
func mergePowers(fs []*term) []*term {
	out := make([]*term, 0, len(fs))
	exps := make([]float64, 0, len(fs))
	merged := false
	for _, f := range fs {
		base, e := splitPower(f)
		found := false
		for i, o := range out {
			if b, _ := splitPower(o); equal(b, base) {
				exps[i] += e
				out[i] = bin('^', base, num(exps[i]))
				found, merged = true, true
				break
			}
		}
		if !found {
			out = append(out, f)
			exps = append(exps, e)
		}
	}
	if !merged {
		return fs
	}
	return out
}

// splitPower returns x and c for x^c with a number c, t and 1 otherwise.
func splitPower(t *term) (*term, float64) {
	if t.kind == binKind && t.op == '^' && t.args[1].kind == numKind {
		return t.args[0], t.args[1].value
	}
	return t, 1
}

// splitCoefficient returns c and x for c*x with a number c, -1 and x for
// -x, 1 and t otherwise.
func splitCoefficient(t *term) (float64, *term) {
	switch {
	case t.kind == binKind && t.op == '*' && t.args[0].kind == numKind:
		return t.args[0].value, t.args[1]
	case t.kind == negKind:
		return -1, t.args[0]
	}
	return 1, t
}
