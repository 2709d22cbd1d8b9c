package ops

import (
	"fmt"
	"reflect"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The classifier of Gorgonia's ops. Their types are unexported, so an op is
// recognised by its Go type name (elemBinOp, transposeOp, ...), and its
// attributes are read from its printed form or, where that lacks them,
// with reflect (read-only). This is the only file of the library that
// reads an op's printed form or uses reflection on ops: every other
// package asks IdentityOf or Identify. kind_test.go checks that every op
// the rewrite passes rely on classifies.

const gorgoniaPkg = "gorgonia.org/gorgonia"

// IdentityOf returns op's identity: the op's own for a symgrad op, the
// classifier's for one of Gorgonia's, KindUnknown otherwise.
func IdentityOf(op G.Op) Identity {
	if op == nil {
		return Identity{}
	}
	if d, ok := op.(*distinctOp); ok { // Apply's wrapper computes what it wraps
		op = d.Op
	}
	if s, ok := op.(Identified); ok {
		return s.Identity()
	}
	return gorgoniaIdentity(op)
}

// Label is op's display name: Identity.Name when the op states one, else
// its printed form ("" for nil). Formatters show it; nothing matches on it.
func Label(op G.Op) string {
	if op == nil {
		return ""
	}
	if name := IdentityOf(op).Name; name != "" {
		return name
	}
	return op.String()
}

// SameOp reports whether a and b are the same computation as far as their
// type and printed form tell (Gorgonia's hash leaves attributes out, e.g.
// softmax's log flag).
func SameOp(a, b G.Op) bool {
	return reflect.TypeOf(a) == reflect.TypeOf(b) && fmt.Sprint(a) == fmt.Sprint(b)
}

var binaryKinds = map[string]Kind{
	"+": KindAdd, "-": KindSub, "⊙": KindMul, "÷": KindDiv, "^": KindPow,
	"<": KindLt, ">": KindGt, "<=": KindLte, ">=": KindGte, "==": KindEq, "!=": KindNe,
}

var unaryKinds = map[string]Kind{
	"abs": KindAbs, "sign": KindSign, "ceil": KindCeil, "floor": KindFloor, "sin": KindSin, "cos": KindCos,
	"exp": KindExp, "ln": KindLog, "log2": KindLog2, "neg": KindNeg, "square": KindSquare, "sqrt": KindSqrt,
	"inv": KindInv, "invSqrt": KindInvSqrt, "cube": KindCube, "tanh": KindTanh, "sigmoid": KindSigmoid,
	"log1p": KindLog1p, "expm1": KindExpm1, "softplus": KindSoftplus,
}

// plainKinds are Gorgonia's ops with no attributes the library reads, by
// type name.
var plainKinds = map[string]Kind{
	"reshapeOp": KindReshapeView, "sliceOp": KindSlice, "sliceIncrOp": KindSliceIncr, "readOp": KindRead,
	"constantScalar": KindConstant, "constantTensor": KindConstant, "im2colOp": KindIm2Col, "col2imOp": KindCol2Im,
	"maxPoolOp": KindMaxPool, "maxPoolDiffOp": KindMaxPoolGrad,
}

// productKinds is indexed by Gorgonia's āBinaryOperator: matMul, matVecMul,
// vecDot, outerProd, batchedMatMul.
var productKinds = [...]Kind{KindMatMul, KindMatVec, KindVecDot, KindOuter, KindBatchedMatMul}

// gorgoniaIdentity classifies one of Gorgonia's ops.
func gorgoniaIdentity(op G.Op) Identity {
	t := reflect.TypeOf(op)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() != gorgoniaPkg {
		return Identity{}
	}
	v := reflect.Indirect(reflect.ValueOf(op))
	switch t.Name() {
	case "elemBinOp":
		return binaryIdentity(op, v)
	case "elemUnaryOp":
		return Identity{Kind: unaryKinds[op.String()]}
	case "linAlgBinOp":
		k, ok := intField(v, "āBinaryOperator")
		if !ok || k < 0 || k >= len(productKinds) {
			return Identity{}
		}
		ta, _ := boolField(v, "transA")
		tb, _ := boolField(v, "transB")
		return Identity{Kind: productKinds[k], TransA: ta, TransB: tb}
	case "sumOp":
		return axesIdentity(KindSum, v, "along")
	case "maxOp":
		return axesIdentity(KindMax, v, "along")
	case "transposeOp":
		return axesIdentity(KindTranspose, v, "pattern")
	case "repeatOp":
		return axisIdentity(KindRepeat, v, "along")
	case "concatOp":
		return axisIdentity(KindConcat, v, "axis")
	case "sizeOp":
		id := axisIdentity(KindSizeOf, v, "axis")
		id.Size, _ = intField(v, "val")
		return id
	case "softmaxOp":
		return softmaxIdentity(v)
	}
	return Identity{Kind: plainKinds[t.Name()]}
}

// binaryIdentity reads the operator and retSame flag of Gorgonia's
// elementwise binary op: by reflection (its operator's
// ʘBinaryOperatorType numbers +, -, ⊙, ÷, ^, <, >, <=, >=, ==, != in
// the order of the binary kinds), or from its printed form, "+ false",
// should that fail (the printed form costs a Sprintf per call).
func binaryIdentity(op G.Op, v reflect.Value) Identity {
	retSame, ok := boolField(v, "retSame")
	if o := v.FieldByName("ʘBinaryOperator"); ok && o.IsValid() && o.Kind() == reflect.Interface && !o.IsNil() {
		if t, ok := intField(reflect.Indirect(o.Elem()), "ʘBinaryOperatorType"); ok && t >= 0 && t <= int(KindNe-KindAdd) {
			return Identity{Kind: KindAdd + Kind(t), RetSame: retSame}
		}
	}
	f := strings.Fields(op.String())
	if len(f) != 2 {
		return Identity{}
	}
	return Identity{Kind: binaryKinds[f[0]], RetSame: f[1] == "true"}
}

// softmaxIdentity reads the axis and log flag of Gorgonia's softmax op,
// resolving the axis as its Do does: -1 means the last axis, except for a
// column vector or a plain vector, where it is 0.
func softmaxIdentity(v reflect.Value) Identity {
	axis, ok1 := intField(v, "axis")
	isLog, ok2 := boolField(v, "isLog")
	sf := v.FieldByName("shape")
	if !ok1 || !ok2 || !sf.IsValid() || sf.Kind() != reflect.Slice {
		return Identity{}
	}
	s := make(tensor.Shape, sf.Len())
	for i := range s {
		s[i] = int(sf.Index(i).Int())
	}
	if axis == -1 {
		axis = s.Dims() - 1
		if s.IsColVec() || (s.IsVector() && !s.IsRowVec()) {
			axis = 0
		}
	}
	return Identity{Kind: KindSoftmax, Axis: axis, Log: isLog}
}

func axisIdentity(k Kind, v reflect.Value, field string) Identity {
	a, ok := intField(v, field)
	if !ok {
		return Identity{}
	}
	return Identity{Kind: k, Axis: a}
}

func axesIdentity(k Kind, v reflect.Value, field string) Identity {
	f := v.FieldByName(field)
	if !f.IsValid() || f.Kind() != reflect.Slice {
		return Identity{}
	}
	axes := make([]int, f.Len())
	for i := range axes {
		axes[i] = int(f.Index(i).Int())
	}
	return Identity{Kind: k, Axes: axes}
}

// intField reads an unexported integer field of a Gorgonia op's value.
func intField(v reflect.Value, name string) (int, bool) {
	f := v.FieldByName(name)
	switch {
	case !f.IsValid():
		return 0, false
	case f.CanInt():
		return int(f.Int()), true
	case f.CanUint():
		return int(f.Uint()), true
	}
	return 0, false
}

// boolField reads an unexported bool field of a Gorgonia op's value.
func boolField(v reflect.Value, name string) (bool, bool) {
	f := v.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Bool {
		return false, false
	}
	return f.Bool(), true
}
