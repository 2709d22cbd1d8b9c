package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/compiler"
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
// and any other op as a call named by the leading identifier of its
// String(), lowercased, primes kept (Dropout{...}() -> dropout(x),
// tanh' -> tanh'(x)). Shared subgraphs are
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
	for _, ch := range children(n) {
		args = append(args, c.term(ch))
	}
	t := convert(n, args)
	if t.shape == nil {
		t.shape = append([]int{}, n.Shape()...)
	}
	c.memo[n] = t
	return t
}

// children returns n's argument nodes in order.
func children(n *G.Node) []*G.Node {
	g := n.Graph()
	if g == nil {
		return nil
	}
	var out []*G.Node
	for it := g.From(n.ID()); it.Next(); {
		out = append(out, it.Node().(*G.Node))
	}
	return out
}

// convert makes the term of one node from its arguments' terms.
func convert(n *G.Node, args []*term) *term {
	op := n.Op()
	if op == nil || len(args) == 0 {
		return leaf(n)
	}
	s := op.String()
	if t := convertArith(s, args); t != nil {
		return t
	}
	if t := convertLinAlg(s, args); t != nil {
		return t
	}
	if t := convertShape(n, s, args); t != nil {
		return t
	}
	return call(opName(s), args...)
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

var unaryNames = map[string]string{"ln": "log", "invSqrt": "invsqrt"}

var compareNames = map[string]string{"<": "lt", ">": "gt", "<=": "lte", ">=": "gte", "==": "eq", "!=": "ne"}

// convertArith handles elementwise unary and binary ops.
func convertArith(s string, args []*term) *term {
	if len(args) == 2 {
		sym, flag, ok := strings.Cut(s, " ")
		if ok && (flag == "true" || flag == "false") {
			switch sym {
			case "+", "-", "^":
				return bin(sym[0], args[0], args[1])
			case "⊙":
				return bin('*', args[0], args[1])
			case "÷":
				return bin('/', args[0], args[1])
			}
			if name, ok := compareNames[sym]; ok {
				return call(name, args...)
			}
		}
	}
	if len(args) != 1 {
		return nil
	}
	switch s {
	case "neg":
		return neg(args[0])
	case "square":
		return bin('^', args[0], num(2))
	case "cube":
		return bin('^', args[0], num(3))
	case "inv":
		return bin('/', num(1), args[0])
	case "abs", "sign", "ceil", "floor", "sin", "cos", "exp", "log2", "sqrt",
		"tanh", "sigmoid", "log1p", "expm1", "softplus":
		return call(s, args[0])
	}
	if name, ok := unaryNames[s]; ok {
		return call(name, args[0])
	}
	return nil
}

// convertLinAlg handles Gorgonia's matrix products, printed "A × B",
// "Aᵀ × B", "A × Bᵀ", "A × b", "a ⋅ b", "a ⊗ b", "A ××× B".
func convertLinAlg(s string, args []*term) *term {
	if len(args) != 2 || (!strings.HasPrefix(s, "A") && !strings.HasPrefix(s, "a")) {
		return nil
	}
	fields := strings.Fields(s)
	if len(fields) != 3 {
		return nil
	}
	a, b := args[0], args[1]
	if fields[0] == "Aᵀ" && fields[2] == "b" {
		return bin('@', b, a) // G.Mul builds vector @ matrix as Aᵀ × b
	}
	if strings.HasSuffix(fields[0], "ᵀ") {
		a = call("transpose", a)
	}
	if strings.HasSuffix(fields[2], "ᵀ") {
		b = call("transpose", b)
	}
	switch fields[1] {
	case "×", "⋅":
		return bin('@', a, b)
	case "⊗":
		return call("outer", a, b)
	case "×××":
		return call("batchmatmul", a, b)
	}
	return nil
}

// convertShape handles reductions and shape ops.
func convertShape(n *G.Node, s string, args []*term) *term {
	x := args[0]
	switch {
	case strings.HasPrefix(s, "Σ"):
		axes := ints(strings.TrimPrefix(s, "Σ"))
		if len(axes) == len(x.shape) {
			return call("sum", x)
		}
		return call("sum", append([]*term{x}, nums(axes)...)...)
	case strings.HasPrefix(s, "MaxAlong"):
		return call("max", append([]*term{x}, nums(ints(strings.TrimPrefix(s, "MaxAlong")))...)...)
	case strings.HasPrefix(s, "Repeat"):
		axis, err := strconv.Atoi(strings.TrimPrefix(s, "Repeat"))
		if err != nil {
			return nil
		}
		return call("repeat", append([]*term{x, num(float64(axis))}, args[1:]...)...)
	case strings.HasPrefix(s, "SizeOf="):
		if v, err := strconv.Atoi(strings.TrimPrefix(s, "SizeOf=")); err == nil {
			return num(float64(v))
		}
	case strings.HasPrefix(s, "SizeOf("):
		return call("sizeof", append([]*term{x}, nums(ints(strings.TrimPrefix(s, "SizeOf")))...)...)
	case strings.HasPrefix(s, "Reshape"), strings.HasPrefix(s, "reshape["):
		return call("reshape", append([]*term{x}, nums(n.Shape())...)...)
	case strings.HasPrefix(s, "Aᵀ{"):
		p := ints(strings.TrimPrefix(s, "Aᵀ"))
		if len(p) == 2 && p[0] == 1 && p[1] == 0 {
			return call("transpose", x)
		}
		return call("transpose", append([]*term{x}, nums(p)...)...)
	case strings.HasPrefix(s, "Concat(axis="):
		return call("concat", append(append([]*term{}, args...), nums(ints(strings.TrimPrefix(s, "Concat")))...)...)
	case strings.HasPrefix(s, "Softmax{"):
		p := strings.Split(strings.Trim(s, "Softmax{}()"), ", ")
		name := "softmax"
		if len(p) == 2 && p[1] == "true" {
			name = "logsoftmax"
		}
		return call(name, append([]*term{x}, nums(ints(p[0]))...)...)
	}
	return nil
}

// ints extracts the integers of text like "[0 1]", "(1, 2)", "{1, 0}".
func ints(s string) []int {
	f := strings.FieldsFunc(s, func(r rune) bool { return r != '-' && (r < '0' || r > '9') })
	out := make([]int, 0, len(f))
	for _, x := range f {
		if v, err := strconv.Atoi(x); err == nil {
			out = append(out, v)
		}
	}
	return out
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
