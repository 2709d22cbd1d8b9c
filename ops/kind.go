package ops

import (
	G "gorgonia.org/gorgonia"
)

// Kind is what an op computes, independent of how it prints: graph
// rewriters, the executor's native kernels, the expression formatter and
// the CLI switch on kinds, never on an op's String() or Go type. Every
// symgrad op states its kind (the Identified interface); Gorgonia's ops,
// whose types are unexported, are classified in kind_gorgonia.go, the one
// file that reads an op's printed form or uses reflection on ops.
//
// An op nobody classified is KindUnknown, and a rewrite that meets one does
// nothing: a renamed or new op can miss an optimisation, never trigger a
// wrong one.
type Kind uint8

// The kinds of Gorgonia's ops (and of the symgrad ops that compute the
// same function, KindMax and KindConcat). Attributes (axes, transposes,
// names) are in Identity. symgrad's own kinds are declared with NewKind
// next to the op that has them, so that a new op is one file.
const (
	KindUnknown Kind = iota

	// Gorgonia's elementwise binary ops: arithmetic, then comparisons.
	KindAdd
	KindSub
	KindMul // elementwise (Hadamard) product
	KindDiv
	KindPow
	KindLt
	KindGt
	KindLte
	KindGte
	KindEq
	KindNe

	// Gorgonia's elementwise unary ops.
	KindAbs
	KindSign
	KindCeil
	KindFloor
	KindSin
	KindCos
	KindExp
	KindLog // natural logarithm
	KindLog2
	KindNeg
	KindSquare
	KindSqrt
	KindInv // 1/x
	KindInvSqrt
	KindCube
	KindTanh
	KindSigmoid
	KindLog1p
	KindExpm1
	KindSoftplus

	// Gorgonia's products (TransA, TransB).
	KindMatMul        // A × B
	KindMatVec        // A × b
	KindVecDot        // a ⋅ b
	KindOuter         // a ⊗ b
	KindBatchedMatMul // A ××× B

	// Reductions and shape ops, Gorgonia's (and symgrad's Max and Concat).
	KindSum         // Axes
	KindMax         // Axes
	KindRepeat      // Axis
	KindSizeOf      // Axis, Size
	KindReshapeView // Gorgonia's reshape: a view of its input
	KindTranspose   // Axes: the permutation
	KindConcat      // Axis
	KindSoftmax     // Axis (resolved), Log
	KindSlice
	KindSliceIncr
	KindRead     // Gorgonia's Read ("print"): a statement, not a value
	KindConstant // a constant node's op
	KindIm2Col
	KindCol2Im
	KindMaxPool     // Gorgonia's max pool (symgrad's fused one is KindMaxPool2d)
	KindMaxPoolGrad // Gorgonia's max pool gradient

)

var kindNames = []string{
	"unknown",
	"add", "sub", "mul", "div", "pow", "lt", "gt", "lte", "gte", "eq", "ne",
	"abs", "sign", "ceil", "floor", "sin", "cos", "exp", "log", "log2", "neg", "square", "sqrt", "inv",
	"invsqrt", "cube", "tanh", "sigmoid", "log1p", "expm1", "softplus",
	"matmul", "matvec", "vecdot", "outer", "batchedmatmul",
	"sum", "max", "repeat", "sizeof", "reshapeview", "transpose", "concat", "softmax", "slice", "sliceincr", "read", "constant", "im2col", "col2im", "maxpool", "maxpoolgrad",
}

// String is the kind's name ("add", "logsumexp", ...).
func (k Kind) String() string {
	if int(k) >= len(kindNames) {
		return "unknown"
	}
	return kindNames[k]
}

// Binary reports whether k is one of Gorgonia's elementwise binary ops
// (arithmetic or comparison).
func (k Kind) Binary() bool { return k >= KindAdd && k <= KindNe }

// Arithmetic reports whether k is +, -, ⊙, ÷ or ^.
func (k Kind) Arithmetic() bool { return k >= KindAdd && k <= KindPow }

// NewKind declares a kind named name (its String) for a symgrad op, in the
// op's own file: var KindFoo = NewKind("foo"). Kinds are numbered in the
// order package initialisation declares them, which is fixed by the
// build.
func NewKind(name string) Kind {
	kindNames = append(kindNames, name)
	if len(kindNames) > 256 {
		panic("ops: more than 256 op kinds")
	}
	return Kind(len(kindNames) - 1)
}

// Unary reports whether k is one of Gorgonia's elementwise unary ops.
func (k Kind) Unary() bool { return k >= KindAbs && k <= KindSoftplus }

// Product reports whether k is one of Gorgonia's products.
func (k Kind) Product() bool { return k >= KindMatMul && k <= KindBatchedMatMul }

// Identity is an op's kind and its attributes; each field says which kinds
// set it.
type Identity struct {
	Kind Kind
	// Name is the function of KindElementwise and KindBinaryElementwise
	// with its attributes ("leakyrelu(0.01)", "bce'p") and the map of
	// KindLSTMCell ("lstmcellh'a"); "" for other ops (Label gives every
	// op's display name).
	Name string
	// Axis: KindRepeat, KindSizeOf, KindConcat, KindConcatSlice,
	// KindConcatPad, KindSoftmax (resolved as Gorgonia's Do resolves -1),
	// KindLogSumExp, KindExpand.
	Axis int
	// Axes: the reduced axes of KindSum and KindMax, the permutation of
	// KindTranspose.
	Axes []int
	// TransA, TransB: the transposed operands of KindMatMul, KindMatVec,
	// KindBatchedMatMul and KindGemm.
	TransA, TransB bool
	// Log: KindSoftmax is log-softmax.
	Log bool
	// Size: KindSizeOf's value when it is known when the graph is built
	// (else 0).
	Size int
	// RetSame: a Gorgonia elementwise binary op returns its operands' type
	// (a comparison giving 0/1, not bools).
	RetSame bool
}

// Identified is implemented by every symgrad op.
type Identified interface {
	// Identity returns the op's kind and attributes.
	Identity() Identity
}

// Identify returns the identity of n's op: KindUnknown for a leaf, a nil
// node or an op nobody classified.
func Identify(n *G.Node) Identity {
	if n == nil || n.Op() == nil {
		return Identity{}
	}
	return IdentityOf(n.Op())
}

// KindOf is Identify(n).Kind.
func KindOf(n *G.Node) Kind { return Identify(n).Kind }
