// Command asmgen generates the AVX2+FMA exponential of package vmath
// (exp_amd64.s and its Go declaration exp_amd64.go) with avo. Run it
// through `go generate ./ops/kernels/vmath/...`; the output is byte for
// byte what is committed (TestGeneratedAssembly checks it).
//
// The kernel computes, for 16 float64s per pass (four chains of four
// lanes, so that the dependent FMAs of one chain overlap the others'),
// exactly what expPoly in exp.go computes one element at a time:
//
//	k = roundeven(x·log₂e); r = fma(-k, ln2, x); r = fma(-k, ln2lo, r)
//	p = c13; p = fma(p, r, c_i) for i = 12 … 0 (c_i = 1/i!)
//	e^x = p · 2^k  (k added to p's exponent bits)
//
// With the environment variable ASMGEN_DIR set, the files are written
// into that directory instead of the working one (used by the test).
package main

import (
	"fmt"
	"math"
	"os"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The constants, which exp.go repeats (TestGeneratedAssembly and the
// bit-for-bit test of the kernel against expPoly hold the two together).
const (
	ln2lo  = 2.319046813846299558e-17 // ln 2 - math.Ln2
	degree = 13
	chains = 4
)

func main() {
	if dir := os.Getenv("ASMGEN_DIR"); dir != "" {
		if err := os.Chdir(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	ConstraintExpr("amd64,!purego")
	consts := GLOBL("expconst", RODATA|NOPTR)
	// Rows of four lanes: log2e, ln2, ln2lo, then c_degree … c_0, as bit
	// patterns (avo prints F64(1) as $(1), which the assembler reads as
	// the integer 1).
	row := 0
	put := func(v float64) {
		for l := range 4 {
			DATA(32*row+8*l, U64(math.Float64bits(v)))
		}
		row++
	}
	put(math.Log2E)
	put(math.Ln2)
	put(ln2lo)
	for i := degree; i >= 0; i-- {
		put(1 / factorial(i))
	}
	kernel(consts)
	Generate()
}

func factorial(n int) float64 {
	f := 1.0
	for i := 2; i <= n; i++ {
		f *= float64(i)
	}
	return f
}

// kernel emits expAVX2. Registers: Y12-Y15 hold log2e, ln2, ln2lo and
// c_degree; chain c uses Y(3c) for x and then r, Y(3c+1) for k, Y(3c+2)
// for p.
func kernel(consts Mem) {
	TEXT("expAVX2", NOSPLIT, "func(dst, x *float64, n int)")
	Pragma("noescape")
	Doc("expAVX2 sets dst[i] = e^x[i] for i < n, n a multiple of 16, each x[i] in [-708, 709]",
		"(see package asmgen). It requires AVX2 and FMA.")
	pd := Load(Param("dst"), GP64())
	px := Load(Param("x"), GP64())
	n := Load(Param("n"), GP64())
	log2e, ln2, lo, top := Y12, Y13, Y14, Y15
	VMOVUPD(consts.Offset(0), log2e)
	VMOVUPD(consts.Offset(32), ln2)
	VMOVUPD(consts.Offset(64), lo)
	VMOVUPD(consts.Offset(96), top)
	vr := func(c, i int) VecPhysical {
		return []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11}[3*c+i]
	}
	Label("loop")
	CMPQ(n, U32(16))
	JL(LabelRef("done"))
	for c := range chains {
		r, k := vr(c, 0), vr(c, 1)
		VMOVUPD(Mem{Base: px, Disp: 32 * c}, r)
		VMULPD(log2e, r, k)
		VROUNDPD(U8(0), k, k) // to nearest, ties to even
	}
	for c := range chains {
		r, k := vr(c, 0), vr(c, 1)
		VFNMADD231PD(ln2, k, r) // r = -(k·ln2) + x
		VFNMADD231PD(lo, k, r)
	}
	for c := range chains {
		VMOVAPD(top, vr(c, 2))
	}
	for i := degree - 1; i >= 0; i-- {
		coef := consts.Offset(32 * (3 + degree - i))
		for c := range chains {
			VFMADD213PD(coef, vr(c, 0), vr(c, 2)) // p = r·p + c_i
		}
	}
	for c := range chains {
		k, p := vr(c, 1), vr(c, 2)
		x := k.AsX()
		VCVTPD2DQY(k, x)
		VPMOVSXDQ(x, k)
		VPSLLQ(U8(52), k, k)
		VPADDQ(k, p, p)
		VMOVUPD(p, Mem{Base: pd, Disp: 32 * c})
	}
	ADDQ(U32(128), px)
	ADDQ(U32(128), pd)
	SUBQ(U32(16), n)
	JMP(LabelRef("loop"))
	Label("done")
	VZEROUPPER()
	RET()
}
