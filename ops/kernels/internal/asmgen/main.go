// Command asmgen generates the AVX elementwise arithmetic of package
// kernels (binary_amd64.s and its Go declarations binary_amd64.go) with
// avo. Run it through `go generate ./ops/kernels/`; the output is byte for
// byte what is committed (TestGeneratedAssembly checks it).
//
// There is one kernel a dtype, arith32AVX and arith64AVX. Its op (Add,
// Sub, Mul, Div: kernels.Arith) and form (which operand, if any, is a
// scalar read from its pointer) choose one of twelve loops, each one of
// Binary's loops (elementwise.go) over blocks of four registers:
// o = a (op) b, o = a (op) s or o = s (op) b in float32 (eight lanes a
// register) or float64 (four), one IEEE operation a lane with the left
// operand first, so that it is bit for bit the loop
// (TestBinaryKernelsAreTheLoops).
//
// With the environment variable ASMGEN_DIR set, the files are written
// into that directory instead of the working one (used by the test).
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/symgrad/symgrad/internal/asmtest"
)

// regs is how many registers one pass of a kernel fills.
const regs = 4

func main() {
	asmtest.EnterOutputDir()
	ConstraintExpr("amd64,!purego")
	for _, d := range []dtype{float32s, float64s} {
		kernel(d)
	}
	Generate()
}

// dtype is one element type's lanes and instructions.
type dtype struct {
	bits      int
	lanes     int // elements in a YMM register
	mov       func(...Op)
	broadcast func(...Op)
}

var (
	float32s = dtype{32, 8, VMOVUPS, VBROADCASTSS}
	float64s = dtype{64, 4, VMOVUPD, VBROADCASTSD}
)

// op is an arithmetic operation: its name and its instruction in each
// dtype (the instruction's second source is the left operand, as avo
// writes VADDPS b, a, dst for dst = a + b).
type op struct {
	name   string
	ps, pd func(...Op)
}

// ops are Binary's operations in the order of kernels.Arith.
var ops = []op{
	{"add", VADDPS, VADDPD},
	{"sub", VSUBPS, VSUBPD},
	{"mul", VMULPS, VMULPD},
	{"div", VDIVPS, VDIVPD},
}

func (o op) in(d dtype) func(...Op) {
	if d.bits == 32 {
		return o.ps
	}
	return o.pd
}

// form says which operand is a scalar, as binaryBlocks numbers them.
type form int

const (
	vecVec    form = iota // o = a (op) b
	vecScalar             // o = a (op) s, s = *b
	scalarVec             // o = s (op) b, s = *a
)

// kernel emits arith<bits>AVX: a jump on (op, form) to one of the twelve
// loops.
func kernel(d dtype) {
	name := fmt.Sprintf("arith%dAVX", d.bits)
	t := fmt.Sprintf("float%d", d.bits)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(o, a, b *%s, n, op, form int)", t))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s is o[i] = a[i] (op) b[i] for i < n, n a multiple of %d, op a", name, regs*d.lanes),
		"kernels.Arith; with form 1 b is a scalar (b[0]), with form 2 a is. It requires AVX.")
	po, pa, pb := Load(Param("o"), GP64()), Load(Param("a"), GP64()), Load(Param("b"), GP64())
	n, which := Load(Param("n"), GP64()), Load(Param("op"), GP64())
	f := Load(Param("form"), GP64())
	IMUL3Q(U32(3), which, which)
	ADDQ(f, which) // which = 3·op + form
	for i := range 3 * len(ops) {
		CMPQ(which, U32(i))
		JE(LabelRef(fmt.Sprintf("%s_%d", name, i)))
	}
	RET() // no such op: nothing written
	for i := range 3 * len(ops) {
		Label(fmt.Sprintf("%s_%d", name, i))
		loop(d, fmt.Sprintf("%s_%d", name, i), ops[i/3], form(i%3), po, pa, pb, n)
	}
}

// loop emits one loop: o = a (op) b in form f over n elements, a pass of
// regs registers at a time, then RET.
func loop(d dtype, label string, o op, f form, po, pa, pb, n Register) {
	var s VecVirtual
	switch f {
	case vecScalar:
		s = YMM()
		d.broadcast(Mem{Base: pb}, s)
	case scalarVec:
		s = YMM()
		d.broadcast(Mem{Base: pa}, s)
	}
	Label(label + "_loop")
	CMPQ(n, U32(regs*d.lanes))
	JL(LabelRef(label + "_done"))
	for r := range regs {
		at := func(base Register) Mem { return Mem{Base: base, Disp: 32 * r} }
		x := YMM()
		switch f {
		case vecVec:
			d.mov(at(pa), x)
			o.in(d)(at(pb), x, x) // x = a op b
		case vecScalar:
			d.mov(at(pa), x)
			o.in(d)(s, x, x) // x = a op s
		case scalarVec:
			o.in(d)(at(pb), s, x) // x = s op b
		}
		d.mov(x, at(po))
	}
	ADDQ(U32(32*regs), po)
	if f != scalarVec {
		ADDQ(U32(32*regs), pa)
	}
	if f != vecScalar {
		ADDQ(U32(32*regs), pb)
	}
	SUBQ(U32(regs*d.lanes), n)
	JMP(LabelRef(label + "_loop"))
	Label(label + "_done")
	VZEROUPPER()
	RET()
}
