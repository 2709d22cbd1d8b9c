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
// rule does not match. Each rule's identity is in its comment.
type rule struct {
	name  string
	apply func(t *term) *term
}

// rules are tried in order at every term, bottom-up, to a fixed point.
var rules = []rule{
	{"fold", foldConstant},
	{"identity", identity},
	{"negation", negation},
	{"square", selfProduct},
	{"coefficient", collectCoefficient},
	{"like terms", likeTerms},
	{"quotient", quotient},
	{"reshape", reshapeRules},
	{"broadcast", implicitBroadcast},
}

// simplify rewrites t with rules until nothing changes.
func simplify(t *term) *term {
	for range maxRewriteRounds {
		s := &simplifier{memo: map[*term]*term{}}
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

// identity removes neutral elements:
//
//	x*1 -> x, 1*x -> x, x+0 -> x, 0+x -> x, x-0 -> x, 0-x -> -x,
//	x/1 -> x, x^1 -> x
func identity(t *term) *term {
	if t.kind != binKind {
		return nil
	}
	x, y := t.args[0], t.args[1]
	switch t.op {
	case '*':
		if isNum(y, 1) {
			return x
		}
		if isNum(x, 1) {
			return y
		}
	case '+':
		if isNum(y, 0) {
			return x
		}
		if isNum(x, 0) {
			return y
		}
	case '-':
		if isNum(y, 0) {
			return x
		}
		if isNum(x, 0) {
			return neg(y)
		}
	case '/', '^':
		if isNum(y, 1) {
			return x
		}
	}
	return nil
}

// negation moves minus signs:
//
//	--x -> x, x + -y -> x - y, x - -y -> x + y,
//	x + c -> x - |c| and x - c -> x + |c| for a negative number c,
//	x + c*y -> x - |c|*y and x - c*y -> x + |c|*y for a negative c
func negation(t *term) *term {
	if t.kind == negKind && t.args[0].kind == negKind {
		return t.args[0].args[0]
	}
	if t.kind != binKind || (t.op != '+' && t.op != '-') {
		return nil
	}
	flip := map[byte]byte{'+': '-', '-': '+'}[t.op]
	x, y := t.args[0], t.args[1]
	switch {
	case y.kind == negKind:
		return bin(flip, x, y.args[0])
	case y.kind == numKind && y.value < 0:
		return bin(flip, x, num(-y.value))
	}
	if pos := negateLeading(y); pos != nil {
		return bin(flip, x, pos)
	}
	return nil
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

// collectCoefficient gathers the numeric factors of a product (through
// nested products and minus signs) into one leading coefficient:
//
//	3*(x^2)*1 -> 3*x^2, x*2*y -> 2*x*y, -(3*x) -> -3*x, 2*-x -> -2*x,
//	(c*x)/d -> (c/d)*x
//
// and merges factors with a common base and numeric exponents:
//
//	x^a*y*x^b -> x^(a+b)*y, x^a*x -> x^(a+1)
func collectCoefficient(t *term) *term {
	switch {
	case t.kind == binKind && t.op == '*':
	case t.kind == negKind && t.args[0].kind == binKind && t.args[0].op == '*':
	case t.kind == binKind && t.op == '/' && t.args[1].kind == numKind && t.args[1].value != 0 &&
		t.args[0].kind == binKind && t.args[0].op == '*' && t.args[0].args[0].kind == numKind:
		c := t.args[0].args[0].value / t.args[1].value
		return bin('*', num(c), t.args[0].args[1])
	default:
		return nil
	}
	coef, rest := 1.0, []*term(nil)
	var gather func(u *term)
	gather = func(u *term) {
		switch {
		case u.kind == binKind && u.op == '*':
			gather(u.args[0])
			gather(u.args[1])
		case u.kind == negKind:
			coef = -coef
			gather(u.args[0])
		case u.kind == numKind:
			coef *= u.value
		default:
			rest = append(rest, u)
		}
	}
	gather(t)
	if len(rest) == 0 || math.IsNaN(coef) || math.IsInf(coef, 0) {
		return nil
	}
	rest = mergePowers(rest)
	var p *term
	switch coef {
	case 1:
		p = rest[0]
	case -1:
		p = neg(rest[0])
	default:
		p = bin('*', num(coef), rest[0])
	}
	for _, f := range rest[1:] {
		p = bin('*', p, f)
	}
	if equal(p, t) {
		return nil
	}
	return p
}

// reshapeRules drop reshapes that change nothing:
//
//	reshape(x, shape(x)) -> x, reshape(reshape(x, s1), s2) -> reshape(x, s2)
func reshapeRules(t *term) *term {
	if t.kind != callKind || t.name != "reshape" || len(t.args) == 0 {
		return nil
	}
	x := t.args[0]
	if t.shape != nil && x.shape != nil && slices.Equal(t.shape, x.shape) {
		return x
	}
	if x.kind == callKind && x.name == "reshape" && len(x.args) > 0 {
		u := call("reshape", append([]*term{x.args[0]}, t.args[1:]...)...)
		u.shape = t.shape
		return u
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

// likeTerms adds the coefficients of terms with a common part and
// reorders a leading negation:
//
//	a*x + b*x -> (a+b)*x, x + x -> 2*x, a*x - b*x -> (a-b)*x, x - x -> 0,
//	-x + y -> y - x
func likeTerms(t *term) *term {
	if t.kind != binKind || (t.op != '+' && t.op != '-') {
		return nil
	}
	ca, a := splitCoefficient(t.args[0])
	cb, b := splitCoefficient(t.args[1])
	if a.kind != numKind && equal(a, b) {
		c := ca + cb
		if t.op == '-' {
			c = ca - cb
		}
		if c == 0 {
			return num(0)
		}
		return bin('*', num(c), a)
	}
	if t.op == '+' && t.args[0].kind == negKind && t.args[1].kind != negKind {
		return bin('-', t.args[1], t.args[0].args[0])
	}
	return nil
}

// quotient writes products with reciprocals as quotients:
//
//	x*(1/y) -> x/y, (1/y)*x -> x/y, and for x != 0:
//	x/x -> 1, (a*x)/x -> a, (x*a)/x -> a
func quotient(t *term) *term {
	if t.kind != binKind {
		return nil
	}
	x, y := t.args[0], t.args[1]
	recip := func(u *term) bool { return u.kind == binKind && u.op == '/' && isNum(u.args[0], 1) }
	switch {
	case t.op == '*' && recip(y):
		return bin('/', x, y.args[1])
	case t.op == '*' && recip(x):
		return bin('/', y, x.args[1])
	case t.op == '/' && x.kind != numKind && equal(x, y):
		return num(1)
	case t.op == '/' && x.kind == binKind && x.op == '*' && y.kind != numKind && equal(x.args[1], y):
		return x.args[0]
	case t.op == '/' && x.kind == binKind && x.op == '*' && y.kind != numKind && equal(x.args[0], y):
		return x.args[1]
	}
	return nil
}
