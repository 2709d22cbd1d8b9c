// Command asmgen generates the AVX2+FMA exponential of package vmath
// (exp_amd64.s and its Go declaration exp_amd64.go) with avo. Run it
// through `go generate ./ops/kernels/vmath/...`; the output is byte for
// byte what is committed (TestGeneratedAssembly checks it).
//
// The kernels compute, several float64s per pass (chains of four lanes,
// so that the dependent FMAs of one chain overlap the others'), exactly
// what expPoly and sigmoidPoly in exp.go compute one element at a time:
//
//	k = roundeven(x·log₂e); r = fma(-k, ln2, x); r = fma(-k, ln2lo, r)
//	p = c13; p = fma(p, r, c_i) for i = 12 … 0 (c_i = 1/i!)
//	e^x = p · 2^k  (k added to p's exponent bits)
//	σ(x) = (x < 0 ? e : 1) / (1 + e), e = e^-|x|  (x < 0: its sign bit)
//
// With the environment variable ASMGEN_DIR set, the files are written
// into that directory instead of the working one (used by the test).
package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/symgrad/symgrad/internal/asmtest"
)

// The constants, which exp.go repeats (TestGeneratedAssembly and the
// bit-for-bit test of the kernel against expPoly hold the two together).
const (
	ln2lo  = 2.319046813846299558e-17 // ln 2 - math.Ln2
	degree = 13
	chains = 4
)

func main() {
	asmtest.EnterOutputDir()
	ConstraintExpr("amd64,!purego")
	consts := GLOBL("expconst", RODATA|NOPTR)
	// Rows of four lanes (see rowLog2e …): log2e, ln2, ln2lo, c_degree …
	// c_0, 1 and the sign bit, as bit patterns (avo prints F64(1) as $(1), which the assembler reads as
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
	put(1)
	for l := range 4 { // the sign bit alone
		DATA(32*row+8*l, U64(1<<63))
	}
	expKernel(consts)
	sigmoidKernel(consts)
	Generate()
}

// The rows of the constant table.
const (
	rowLog2e = 0
	rowLn2   = 1
	rowLn2lo = 2
	rowTop   = 3 // c_degree; c_i is row rowTop + degree - i
	rowOne   = rowTop + degree + 1
	rowSign  = rowOne + 1
)

// chain is the registers of one group of four lanes: r holds the
// argument (and then the reduced argument), k the exponent, p the result.
type chain struct{ r, k, p VecPhysical }

// expBody computes p = e^r in every chain, the steps of all chains
// interleaved so that each chain's dependent FMAs overlap the others'.
// log2e, ln2 and lo hold their constants; the coefficients are read from
// the table.
func expBody(consts Mem, cs []chain, log2e, ln2, lo VecPhysical) {
	for _, c := range cs {
		VMULPD(log2e, c.r, c.k)
		VROUNDPD(U8(0), c.k, c.k) // to nearest, ties to even
	}
	for _, c := range cs {
		VFNMADD231PD(ln2, c.k, c.r) // r = -(k·ln2) + x
		VFNMADD231PD(lo, c.k, c.r)
	}
	for _, c := range cs {
		VMOVUPD(consts.Offset(32*rowTop), c.p)
	}
	for i := degree - 1; i >= 0; i-- {
		for _, c := range cs {
			VFMADD213PD(consts.Offset(32*(rowTop+degree-i)), c.r, c.p) // p = r·p + c_i
		}
	}
	for _, c := range cs {
		x := c.k.AsX()
		VCVTPD2DQY(c.k, x)
		VPMOVSXDQ(x, c.k)
		VPSLLQ(U8(52), c.k, c.k)
		VPADDQ(c.k, c.p, c.p) // p·2^k
	}
}

// loop emits the kernel's loop over n elements, step at a time: body
// reads from px and writes to pd at the pass's offset.
func loop(name string, n, px, pd Register, step int, body func()) {
	Label(name + "_loop")
	CMPQ(n, U32(step))
	JL(LabelRef(name + "_done"))
	body()
	ADDQ(U32(8*step), px)
	ADDQ(U32(8*step), pd)
	SUBQ(U32(step), n)
	JMP(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// prologue loads a kernel's arguments (dst, x, n) and the given rows of
// the constant table into Y12, Y13, ... in order.
func prologue(consts Mem, rows ...int) (pd, px, n Register, k []VecPhysical) {
	pd = Load(Param("dst"), GP64())
	px = Load(Param("x"), GP64())
	n = Load(Param("n"), GP64())
	k = []VecPhysical{Y12, Y13, Y14, Y15}[:len(rows)]
	for i, row := range rows {
		VMOVUPD(consts.Offset(32*row), k[i])
	}
	return pd, px, n, k
}

// expKernel emits expAVX2: four chains, 16 elements a pass, in Y0-Y11;
// Y12-Y14 hold log2e, ln2 and ln2lo.
func expKernel(consts Mem) {
	TEXT("expAVX2", NOSPLIT, "func(dst, x *float64, n int)")
	Pragma("noescape")
	Doc("expAVX2 sets dst[i] = e^x[i] for i < n, n a multiple of 16, each x[i] in [-708, 709]",
		"(see package asmgen). It requires AVX2 and FMA.")
	pd, px, n, k := prologue(consts, rowLog2e, rowLn2, rowLn2lo)
	log2e, ln2, lo := k[0], k[1], k[2]
	cs := []chain{{Y0, Y1, Y2}, {Y3, Y4, Y5}, {Y6, Y7, Y8}, {Y9, Y10, Y11}}
	loop("exp", n, px, pd, 16, func() {
		for i, c := range cs {
			VMOVUPD(Mem{Base: px, Disp: 32 * i}, c.r)
		}
		expBody(consts, cs, log2e, ln2, lo)
		for i, c := range cs {
			VMOVUPD(c.p, Mem{Base: pd, Disp: 32 * i})
		}
	})
}

// sigmoidKernel emits sigmoidAVX2, sigmoidPoly of exp.go over vectors:
// two chains, 8 elements a pass, each chain's x kept for its sign; Y15
// holds 1.
func sigmoidKernel(consts Mem) {
	TEXT("sigmoidAVX2", NOSPLIT, "func(dst, x *float64, n int)")
	Pragma("noescape")
	Doc("sigmoidAVX2 sets dst[i] = σ(x[i]) for i < n, n a multiple of 8, each |x[i]| <= 708",
		"(see package asmgen). It requires AVX2 and FMA.")
	pd, px, n, k := prologue(consts, rowLog2e, rowLn2, rowLn2lo, rowOne)
	log2e, ln2, lo, one := k[0], k[1], k[2], k[3]
	cs := []chain{{Y0, Y1, Y2}, {Y4, Y5, Y6}}
	xs := []VecPhysical{Y3, Y7}  // x, for its sign
	den := []VecPhysical{Y8, Y9} // 1 + e
	loop("sigmoid", n, px, pd, 8, func() {
		for i, c := range cs {
			VMOVUPD(Mem{Base: px, Disp: 32 * i}, xs[i])
			VORPD(consts.Offset(32*rowSign), xs[i], c.r) // r = -|x|
		}
		expBody(consts, cs, log2e, ln2, lo)
		for i, c := range cs {
			VADDPD(one, c.p, den[i])
			VBLENDVPD(xs[i], c.p, one, c.k) // k = x < 0 (its sign bit) ? e : 1
			VDIVPD(den[i], c.k, c.k)
			VMOVUPD(c.k, Mem{Base: pd, Disp: 32 * i})
		}
	})
}

func factorial(n int) float64 {
	f := 1.0
	for i := 2; i <= n; i++ {
		f *= float64(i)
	}
	return f
}
