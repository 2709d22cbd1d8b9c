package compiler

import (
	"reflect"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// Matching Gorgonia's ops: their types are unexported, so a node is
// recognised by the op's Go type name (elemBinOp, elemUnaryOp,
// transposeOp, ...) and its printed form; attributes that the printed
// form lacks are read with reflect (read-only). symgrad's own ops are
// recognised with the predicates in ops/match.go.

const gorgoniaPkg = "gorgonia.org/gorgonia"

// gorgoniaKind returns the type name of n's op when it is one of
// Gorgonia's ("elemBinOp", "softmaxOp", ...), else "".
func gorgoniaKind(n *G.Node) string {
	if n == nil || n.Op() == nil {
		return ""
	}
	t := reflect.TypeOf(n.Op())
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() != gorgoniaPkg {
		return ""
	}
	return t.Name()
}

// binary matches a Gorgonia elementwise binary op and returns its symbol
// ("+", "-", "⊙", "÷", "^") and operands.
func binary(n *G.Node) (sym string, a, b *G.Node, ok bool) {
	if gorgoniaKind(n) != "elemBinOp" {
		return "", nil, nil, false
	}
	in := children(n)
	if len(in) != 2 {
		return "", nil, nil, false
	}
	return strings.Fields(n.Op().String())[0], in[0], in[1], true
}

// unary matches a Gorgonia elementwise unary op and returns its name
// ("ln", "exp", "neg", "sigmoid", ...) and operand.
func unary(n *G.Node) (name string, x *G.Node, ok bool) {
	if gorgoniaKind(n) != "elemUnaryOp" {
		return "", nil, false
	}
	return n.Op().String(), children(n)[0], true
}

// isUnary matches the Gorgonia unary op called name and returns its
// operand.
func isUnary(n *G.Node, name string) (*G.Node, bool) {
	got, x, ok := unary(n)
	return x, ok && got == name
}

// scalarConst returns the value of a scalar constant node.
func scalarConst(n *G.Node) (float64, bool) {
	if n == nil || !IsConstant(n) || !n.IsScalar() {
		return 0, false
	}
	switch v := n.Value().(type) {
	case *G.F64:
		return float64(*v), true
	case *G.F32:
		return float64(*v), true
	}
	return 0, false
}

// isConst reports whether n is a scalar constant equal to v.
func isConst(n *G.Node, v float64) bool {
	c, ok := scalarConst(n)
	return ok && c == v
}

// fits reports whether x can stand in for n: the same shape and dtype.
func fits(x, n *G.Node) bool {
	return x != nil && sameShape(x, n) && x.Dtype() == n.Dtype()
}

// intsField reads an unexported []int field of a Gorgonia op.
func intsField(op G.Op, name string) ([]int, bool) {
	v := reflect.ValueOf(op)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	f := v.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Slice {
		return nil, false
	}
	out := make([]int, f.Len())
	for i := range out {
		out[i] = int(f.Index(i).Int())
	}
	return out, true
}

// intField reads an unexported int field of a Gorgonia op.
func intField(op G.Op, name string) (int, bool) {
	v := reflect.ValueOf(op)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	f := v.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Int {
		return 0, false
	}
	return int(f.Int()), true
}

// softmaxAttrs reads the axis and log flag of Gorgonia's softmax op,
// resolving the axis as its Do does: -1 means the last axis, except for a
// column vector or a plain vector, where it is 0.
func softmaxAttrs(n *G.Node) (axis int, isLog, ok bool) {
	if gorgoniaKind(n) != "softmaxOp" {
		return 0, false, false
	}
	v := reflect.ValueOf(n.Op()).Elem()
	axis, isLog = int(v.FieldByName("axis").Int()), v.FieldByName("isLog").Bool()
	s := n.Shape()
	if axis == -1 {
		axis = s.Dims() - 1
		if s.IsColVec() || (s.IsVector() && !s.IsRowVec()) {
			axis = 0
		}
	}
	return axis, isLog, true
}

// reshapeInput matches symgrad's reshape and returns its input.
// Gorgonia's reshape is left alone: it returns a view, and its broadcast
// ops (repeat) behave differently on a view of a vector than on the vector
// (a reshape of a (1) vector to (1) is not removable there).
func reshapeInput(n *G.Node) (*G.Node, bool) {
	return ops.IsReshape(n)
}

func isFloat(dt tensor.Dtype) bool { return dt == tensor.Float64 || dt == tensor.Float32 }
