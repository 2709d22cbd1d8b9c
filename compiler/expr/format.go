package expr

import (
	"fmt"
	"math"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// Format returns n's computation as expression text, simplified by the
// rewrite rules of simplify.go. Leaves print as their names, constants as
// numbers (a tensor constant whose elements are all equal prints as that
// number), Gorgonia ops as operators or calls:
//
//	A × B, A × b, a ⋅ b      a @ b            (Aᵀ × B: transpose(a) @ b)
//	Aᵀ × b                   b @ a            (G.Mul's vector @ matrix)
//	+ - ⊙ ÷ ^                + - * / ^
//	< > <= >= == !=          lt gt lte gte eq ne (x, y)
//	neg, square, cube, inv   -x, x^2, x^3, 1/x
//	ln, invSqrt, others      log(x), invsqrt(x), tanh(x), ...
//	Σ[0], Σ[0 1]             sum(x, 0), sum(x, 0, 1), sum(x) over all axes
//	MaxAlong[1]              max(x, 1)
//	Repeat0(x, n)            repeat(x, 0, n)
//	SizeOf=4                 4
//	Reshape(50)              reshape(x, 50)
//	Aᵀ{1, 0}                 transpose(x), transpose(x, 0, 2, 1)
//	Concat(axis=1)           concat(a, b, 1)
//	Softmax{1, true}()       logsoftmax(x, 1)
//
// (ops are told apart by their kind, ops.Identify) and any other op as a
// call named by the leading identifier of its name (ops.Label),
// lowercased, primes kept (Dropout{...}() -> dropout(x), tanh' ->
// tanh'(x)). Shared subgraphs are
// written out at each use; when that would exceed MaxFormatTerms terms,
// shared subterms are named t1, t2, ... and defined after a "where" line.
func Format(n *G.Node) (s string) {
	if n == nil {
		return "<nil>"
	}
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("<cannot format %s: %v>", n.Name(), r)
		}
	}()
	c := converter{memo: map[*G.Node]*term{}}
	t := simplify(c.term(n))
	return writeShared(t)
}

// converter turns graph nodes into terms, once per node.
type converter struct {
	memo map[*G.Node]*term
}

func (c *converter) term(n *G.Node) *term {
	if t, ok := c.memo[n]; ok {
		return t
	}
	var args []*term
	for _, ch := range ops.Inputs(n) {
		args = append(args, c.term(ch))
	}
	t := convert(n, args)
	if t.shape == nil {
		t.shape = append([]int{}, n.Shape()...)
	}
	c.memo[n] = t
	return t
}

// convert makes the term of one node from its arguments' terms, by the
// kind of its op (ops.Identify); an op of another kind is a call named by
// the op's name.
func convert(n *G.Node, args []*term) *term {
	if n.Op() == nil || len(args) == 0 {
		return leaf(n)
	}
	id := ops.Identify(n)
	if t := convertArith(id.Kind, args); t != nil {
		return t
	}
	if t := convertLinAlg(id, args); t != nil {
		return t
	}
	if t := convertShape(n, id, args); t != nil {
		return t
	}
	return call(opName(ops.Label(n.Op())), args...)
}

// leaf is a variable, or a number for a constant.
func leaf(n *G.Node) *term {
	if compiler.IsConstant(n) || n.Op() != nil {
		if v, ok := uniform(n); ok {
			return num(v)
		}
	}
	return &term{kind: varKind, name: n.Name()}
}

// uniform returns the value shared by all elements of n's value.
func uniform(n *G.Node) (float64, bool) {
	v := n.Value()
	if v == nil {
		if c, ok := n.Op().(interface{ Value() G.Value }); ok {
			v = c.Value()
		}
	}
	if v == nil {
		return 0, false
	}
	var data []float64
	switch d := v.Data().(type) {
	case float64:
		return d, true
	case float32:
		return float64(d), true
	case []float64:
		data = d
	case []float32:
		for _, x := range d {
			data = append(data, float64(x))
		}
	default:
		return 0, false
	}
	if len(data) == 0 {
		return 0, false
	}
	for _, x := range data[1:] {
		if x != data[0] && !(math.IsNaN(x) && math.IsNaN(data[0])) {
			return 0, false
		}
	}
	return data[0], true
}

var binarySymbols = map[ops.Kind]byte{
	ops.KindAdd: '+', ops.KindSub: '-', ops.KindPow: '^', ops.KindMul: '*', ops.KindDiv: '/',
}

// convertArith handles Gorgonia's elementwise unary and binary ops.
func convertArith(k ops.Kind, args []*term) *term {
	switch {
	case len(args) == 2 && k.Binary():
		if sym, ok := binarySymbols[k]; ok {
			return bin(sym, args[0], args[1])
		}
		return call(k.String(), args...) // lt, gt, lte, gte, eq, ne
	case len(args) != 1 || !k.Unary():
		return nil
	}
	switch k {
	case ops.KindNeg:
		return neg(args[0])
	case ops.KindSquare:
		return bin('^', args[0], num(2))
	case ops.KindCube:
		return bin('^', args[0], num(3))
	case ops.KindInv:
		return bin('/', num(1), args[0])
	}
	return call(k.String(), args[0]) // log, invsqrt, tanh, ...
}

// convertLinAlg handles Gorgonia's products: A × B (with transposes),
// A × b, a ⋅ b, a ⊗ b, A ××× B.
func convertLinAlg(id ops.Identity, args []*term) *term {
	if len(args) != 2 || !id.Kind.Product() {
		return nil
	}
	a, b := args[0], args[1]
	if id.Kind == ops.KindMatVec && id.TransA {
		return bin('@', b, a) // G.Mul builds vector @ matrix as Aᵀ × b
	}
	if id.TransA {
		a = call("transpose", a)
	}
	if id.TransB {
		b = call("transpose", b)
	}
	switch id.Kind {
	case ops.KindOuter:
		return call("outer", a, b)
	case ops.KindBatchedMatMul:
		return call("batchmatmul", a, b)
	}
	return bin('@', a, b)
}

// convertShape handles reductions and shape ops.
func convertShape(n *G.Node, id ops.Identity, args []*term) *term {
	x := args[0]
	switch id.Kind {
	case ops.KindSum:
		if len(id.Axes) == len(x.shape) {
			return call("sum", x)
		}
		return call("sum", append([]*term{x}, nums(id.Axes)...)...)
	case ops.KindMax:
		return call("max", append([]*term{x}, nums(id.Axes)...)...)
	case ops.KindRepeat:
		return call("repeat", append([]*term{x, num(float64(id.Axis))}, args[1:]...)...)
	case ops.KindSizeOf:
		if id.Size != 0 {
			return num(float64(id.Size))
		}
		return call("sizeof", x, num(float64(id.Axis)))
	case ops.KindReshapeView, ops.KindReshape:
		return call("reshape", append([]*term{x}, nums(n.Shape())...)...)
	case ops.KindTranspose:
		if p := id.Axes; len(p) == 2 && p[0] == 1 && p[1] == 0 {
			return call("transpose", x)
		}
		return call("transpose", append([]*term{x}, nums(id.Axes)...)...)
	case ops.KindConcat:
		return call("concat", append(append([]*term{}, args...), num(float64(id.Axis)))...)
	case ops.KindSoftmax:
		name := "softmax"
		if id.Log {
			name = "logsoftmax"
		}
		return call(name, x, num(float64(id.Axis)))
	}
	return nil
}

func nums(v []int) []*term {
	out := make([]*term, len(v))
	for i, x := range v {
		out[i] = num(float64(x))
	}
	return out
}

// opName is the lowercased leading identifier of an op's String() with
// any primes after it (symgrad's derivative ops are named tanh', tanh”),
// "op" when there is none.
func opName(s string) string {
	end := strings.IndexFunc(s, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	if end < 0 {
		end = len(s)
	}
	if end == 0 || s[0] >= '0' && s[0] <= '9' {
		return "op"
	}
	primes := len(s[end:]) - len(strings.TrimLeft(s[end:], "'"))
	return strings.ToLower(s[:end]) + strings.Repeat("'", primes)
}

// Term constructors for Format and the rewrite rules.

func num(v float64) *term { return &term{kind: numKind, value: v, shape: []int{}} }

func neg(x *term) *term { return &term{kind: negKind, args: []*term{x}} }

func bin(op byte, x, y *term) *term { return &term{kind: binKind, op: op, args: []*term{x, y}} }

func call(name string, args ...*term) *term { return &term{kind: callKind, name: name, args: args} }
