package expr

import (
	"math"
	"slices"
)

// The rules' matchers: each comment states the identity.

// onBin applies match to the operands of a binary op term, nil for other
// terms.
func onBin(op byte, match func(x, y *term) *term) func(*term) *term {
	return func(t *term) *term {
		if t.kind != binKind || t.op != op {
			return nil
		}
		return match(t.args[0], t.args[1])
	}
}

// when is r if c, else nil.
func when(c bool, r *term) *term {
	if c {
		return r
	}
	return nil
}

// whenf is r() if c, else nil.
func whenf(c bool, r func() *term) *term {
	if c {
		return r()
	}
	return nil
}

// doubleNegation: --x -> x.
func doubleNegation(t *term) *term {
	if t.kind == negKind && t.args[0].kind == negKind {
		return t.args[0].args[0]
	}
	return nil
}

// collectCoefficient: the numeric factors of a product gathered into one
// leading coefficient, factors of a common base into one power
// (gatherCoefficient).
func collectCoefficient(t *term) *term {
	if t.kind != binKind || t.op != '*' {
		return nil
	}
	return gatherCoefficient(t)
}

// minusOperand moves a negated second operand into the op: x + -y -> x - y
// (flip '-'), x - -y -> x + y (flip '+').
func minusOperand(flip byte) func(x, y *term) *term {
	return func(x, y *term) *term {
		return whenf(y.kind == negKind, func() *term { return bin(flip, x, y.args[0]) })
	}
}

// negativeNumber: x + c -> x - |c| and x - c -> x + |c| for a negative
// number c.
func negativeNumber(flip byte) func(x, y *term) *term {
	return func(x, y *term) *term {
		return whenf(y.kind == numKind && y.value < 0, func() *term { return bin(flip, x, num(-y.value)) })
	}
}

// negativeCoefficient: x + c*y -> x - |c|*y and x - c*y -> x + |c|*y for a
// negative leading coefficient c.
func negativeCoefficient(flip byte) func(x, y *term) *term {
	return func(x, y *term) *term {
		pos := negateLeading(y)
		return whenf(pos != nil, func() *term { return bin(flip, x, pos) })
	}
}

// collectNegatedCoefficient: -(c*x) -> (-c)*x, through nested products.
func collectNegatedCoefficient(t *term) *term {
	if t.kind != negKind || t.args[0].kind != binKind || t.args[0].op != '*' {
		return nil
	}
	return gatherCoefficient(t)
}

// coefficientQuotient: (c*x)/d -> (c/d)*x for numbers c and d != 0.
func coefficientQuotient(t *term) *term {
	if t.kind != binKind || t.op != '/' || t.args[1].kind != numKind || t.args[1].value == 0 {
		return nil
	}
	x := t.args[0]
	if x.kind != binKind || x.op != '*' || x.args[0].kind != numKind {
		return nil
	}
	return bin('*', num(x.args[0].value/t.args[1].value), x.args[1])
}

// gatherCoefficient gathers the numeric factors of a product t (through
// nested products and minus signs) into one leading coefficient and
// merges factors with a common base and numeric exponents:
//
//	3*(x^2)*1 -> 3*x^2, x*2*y -> 2*x*y, 2*-x -> -2*x,
//	x^a*y*x^b -> x^(a+b)*y, x^a*x -> x^(a+1)
//
// It returns nil when the result is t.
func gatherCoefficient(t *term) *term {
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

// likeTerms adds the coefficients of terms with a common part:
// a*x + b*x -> (a+b)*x, x + x -> 2*x (op '+'), a*x - b*x -> (a-b)*x,
// x - x -> 0 (op '-').
func likeTerms(op byte) func(x, y *term) *term {
	return func(x, y *term) *term {
		ca, a := splitCoefficient(x)
		cb, b := splitCoefficient(y)
		if a.kind == numKind || !equal(a, b) {
			return nil
		}
		c := ca + cb
		if op == '-' {
			c = ca - cb
		}
		if c == 0 {
			return num(0)
		}
		return bin('*', num(c), a)
	}
}

// leadingNegation: -x + y -> y - x (y not a negation).
func leadingNegation(x, y *term) *term {
	return whenf(x.kind == negKind && y.kind != negKind, func() *term { return bin('-', y, x.args[0]) })
}

// isRecip reports whether u is 1/y.
func isRecip(u *term) bool { return u.kind == binKind && u.op == '/' && isNum(u.args[0], 1) }

// selfQuotient: x/x -> 1 for x not a number.
func selfQuotient(x, y *term) *term {
	return whenf(x.kind != numKind && equal(x, y), func() *term { return num(1) })
}

// cancelFactor cancels factor i of a product by an equal divisor that is
// not a number: (a*x)/x -> a (i = 1), (x*a)/x -> a (i = 0).
func cancelFactor(i int) func(x, y *term) *term {
	return func(x, y *term) *term {
		return whenf(x.kind == binKind && x.op == '*' && y.kind != numKind && equal(x.args[i], y),
			func() *term { return x.args[1-i] })
	}
}

// reshapeToOwnShape: reshape(x, shape(x)) -> x.
func reshapeToOwnShape(t *term) *term {
	if t.kind != callKind || t.name != "reshape" || len(t.args) == 0 {
		return nil
	}
	x := t.args[0]
	return when(t.shape != nil && x.shape != nil && slices.Equal(t.shape, x.shape), x)
}

// reshapeOfReshape: reshape(reshape(x, s1), s2) -> reshape(x, s2).
func reshapeOfReshape(t *term) *term {
	if t.kind != callKind || t.name != "reshape" || len(t.args) == 0 {
		return nil
	}
	x := t.args[0]
	if x.kind != callKind || x.name != "reshape" || len(x.args) == 0 {
		return nil
	}
	u := call("reshape", append([]*term{x.args[0]}, t.args[1:]...)...)
	u.shape = t.shape
	return u
}
