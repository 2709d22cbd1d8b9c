// Command asmgen generates the AVX2+FMA steps of package optimizers
// (step_amd64.s and its Go declarations step_amd64.go) with avo: Adam's
// common step and SGD's plain and heavy-ball steps. Run it through
// `go generate ./optimizers/...`; the output is byte for byte what is
// committed (TestGeneratedAssembly checks it).
//
// Each kernel is a Go loop over a block of lanes, the same operations in
// the same order and precision, so that it is bit for bit that loop
// (TestAdamKernelIsAdamPlain, TestSGDKernelsAreTheLoops):
//
//	adamPlain (adam.go):       m' = fma(c1, g, m·b1)      v' = fma(c2·g, g, v·b2)
//	                           p' = p + negStep·m' / (sqrt(v')/bc2sqrt + eps)
//	sgdPlainFrom (sgd.go):     p' = fma(negLR, g, p)
//	sgdMomentumFrom (sgd.go):  b' = fma(keep, g, b·mom)   p' = fma(negLR, b', p)
//
// In float32 each fused multiply-add runs in float64 and is rounded to
// float32, as the loops' fma does; every other operation is float32.
//
// With the environment variable ASMGEN_DIR set, the files are written
// into that directory instead of the working one (used by the test).
package main

import (
	"fmt"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/symgrad/symgrad/internal/asmtest"
)

// The gradient parameter is named grad: g is the goroutine register to
// Go's assembler.
func main() {
	asmtest.EnterOutputDir()
	ConstraintExpr("amd64,!purego")
	adam32()
	adam64()
	for _, l := range []lanes{float32s, float64s} {
		sgd(l)
	}
	Generate()
}

// The constants' order in the k array both kernels take.
const (
	kB1 = iota
	kC1
	kB2
	kC2
	kBC2Sqrt
	kEps
	kNegStep
)

// lanes is one element type's vector registers and instructions: reg
// makes a register of four lanes, broadcast fills one from memory.
type lanes struct {
	bits                     int
	reg                      func() VecVirtual
	broadcast                func(...Op)
	mov, mul, div, add, sqrt func(...Op)
}

var (
	float32s = lanes{32, XMM, VBROADCASTSS, VMOVUPS, VMULPS, VDIVPS, VADDPS, VSQRTPS}
	float64s = lanes{64, YMM, VBROADCASTSD, VMOVUPD, VMULPD, VDIVPD, VADDPD, VSQRTPD}
)

// kernel starts the kernel <short><bits>AVX2 on l's lanes, the Go loop
// named loop over n elements: its declaration and documentation, then the
// loads of its arguments, the pointers named ptrs (each a *float<bits>)
// and the count n. bcast loads constant i of k into a new register.
func kernel(l lanes, loop, short string, ptrs ...string) (pr []Register, n Register, bcast func(i int) VecVirtual) {
	name := fmt.Sprintf("%s%dAVX2", short, l.bits)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(%s *float%d, n int, k *[8]float%d)", strings.Join(ptrs, ", "), l.bits, l.bits))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s is %s over n float%d elements, n a multiple of 4,", name, loop, l.bits),
		"with the step's constants k (see package asmgen). It requires AVX2 and FMA.")
	for _, p := range ptrs {
		pr = append(pr, Load(Param(p), GP64()))
	}
	n, pk := Load(Param("n"), GP64()), Load(Param("k"), GP64())
	bcast = func(i int) VecVirtual {
		x := l.reg()
		l.broadcast(Mem{Base: pk, Disp: l.bits / 8 * i}, x)
		return x
	}
	return pr, n, bcast
}

// update emits the last part of a pass, in l's precision:
// p' = p + neg·m' / (sqrt(v')/bc + eps), stored at pp.
func (l lanes) update(pp Register, mi, vi, bc, eps, neg VecVirtual) {
	s := l.reg()
	l.sqrt(vi, s)
	l.div(bc, s, s)
	l.add(eps, s, s)
	q := l.reg()
	l.mul(neg, mi, q)
	l.div(s, q, q)
	l.add(Mem{Base: pp}, q, q)
	l.mov(q, Mem{Base: pp})
}

// loop emits the kernel's loop over n elements, four a pass: body, then
// each pointer advanced by bytes.
func loop(name string, n Register, ptrs []Register, bytes int, body func()) {
	Label(name + "_loop")
	CMPQ(n, U32(4))
	JL(LabelRef(name + "_done"))
	body()
	for _, r := range ptrs {
		ADDQ(U32(bytes), r)
	}
	SUBQ(U32(4), n)
	JMP(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// adam32 emits adam32AVX2: four float32 lanes a pass (an XMM register; the
// float64 FMAs widen them to a YMM register).
func adam32() {
	pr, n, bcast := kernel(float32s, "adamPlain's loop", "adam", "p", "grad", "m", "v")
	pp, pg, pm, pv := pr[0], pr[1], pr[2], pr[3]
	b1, b2, c2, bc, eps, neg := bcast(kB1), bcast(kB2), bcast(kC2), bcast(kBC2Sqrt), bcast(kEps), bcast(kNegStep)
	c1 := YMM() // c1 widened to float64
	VCVTPS2PD(bcast(kC1), c1)
	loop("adam32", n, []Register{pp, pg, pm, pv}, 16, func() {
		d, d64 := XMM(), YMM()
		VMOVUPS(Mem{Base: pg}, d)
		VCVTPS2PD(d, d64)
		t, t64 := XMM(), YMM()
		VMULPS(Mem{Base: pm}, b1, t) // m·b1
		VCVTPS2PD(t, t64)
		VFMADD231PD(c1, d64, t64) // m' = c1·g + m·b1, in float64
		mi := XMM()
		VCVTPD2PSY(t64, mi)
		VMOVUPS(mi, Mem{Base: pm})
		cd, cd64 := XMM(), YMM()
		VMULPS(c2, d, cd) // c2·g
		VCVTPS2PD(cd, cd64)
		u, u64 := XMM(), YMM()
		VMULPS(Mem{Base: pv}, b2, u) // v·b2
		VCVTPS2PD(u, u64)
		VFMADD231PD(cd64, d64, u64) // v' = (c2·g)·g + v·b2, in float64
		vi := XMM()
		VCVTPD2PSY(u64, vi)
		VMOVUPS(vi, Mem{Base: pv})
		float32s.update(pp, mi, vi, bc, eps, neg)
	})
}

// adam64 emits adam64AVX2: four float64 lanes a pass.
func adam64() {
	pr, n, bcast := kernel(float64s, "adamPlain's loop", "adam", "p", "grad", "m", "v")
	pp, pg, pm, pv := pr[0], pr[1], pr[2], pr[3]
	b1, c1, b2, c2, bc, eps, neg := bcast(kB1), bcast(kC1), bcast(kB2), bcast(kC2), bcast(kBC2Sqrt), bcast(kEps), bcast(kNegStep)
	loop("adam64", n, []Register{pp, pg, pm, pv}, 32, func() {
		d := YMM()
		VMOVUPD(Mem{Base: pg}, d)
		mi := YMM()
		VMULPD(Mem{Base: pm}, b1, mi) // m·b1
		VFMADD231PD(c1, d, mi)        // m' = c1·g + m·b1
		VMOVUPD(mi, Mem{Base: pm})
		cd := YMM()
		VMULPD(c2, d, cd) // c2·g
		vi := YMM()
		VMULPD(Mem{Base: pv}, b2, vi) // v·b2
		VFMADD231PD(cd, d, vi)        // v' = (c2·g)·g + v·b2
		VMOVUPD(vi, Mem{Base: pv})
		float64s.update(pp, mi, vi, bc, eps, neg)
	})
}

// The SGD kernels' constants, in the k array they take.
const (
	kNegLR = iota
	kKeep
	kMom
)

// widened is c in float64 lanes: c itself in float64, VCVTPS2PD of c in
// float32.
func (l lanes) widened(c VecVirtual) VecVirtual {
	if l.bits == 64 {
		return c
	}
	w := YMM()
	VCVTPS2PD(c, w)
	return w
}

// fma emits T(FMA(a, x, z)) in l's precision, a already widened: x and z
// widened to float64, one VFMADD231PD, and the sum rounded back to
// float32 (in float64, z's register takes the sum). It returns the
// result's register.
func (l lanes) fma(a, x, z VecVirtual) VecVirtual {
	zw := l.widened(z)
	VFMADD231PD(a, l.widened(x), zw)
	if l.bits == 64 {
		return zw
	}
	r := XMM()
	VCVTPD2PSY(zw, r)
	return r
}

// load emits a load of four lanes at base into a new register.
func (l lanes) load(base Register) VecVirtual {
	x := l.reg()
	l.mov(Mem{Base: base}, x)
	return x
}

// sgd emits sgd<bits>AVX2: with buf nil sgdPlainFrom's loop,
// p' = fma(negLR, g, p); else sgdMomentumFrom's,
// b' = fma(keep, g, b·mom), p' = fma(negLR, b', p).
func sgd(l lanes) {
	pr, n, bcast := kernel(l, "sgdPlainFrom's loop (buf nil) or sgdMomentumFrom's", "sgd", "p", "grad", "buf")
	name := fmt.Sprintf("sgd%d", l.bits)
	negLR := l.widened(bcast(kNegLR))
	TESTQ(pr[2], pr[2])
	JZ(LabelRef(name + "_plain"))
	keep, mom := l.widened(bcast(kKeep)), bcast(kMom)
	loop(name+"_momentum", n, pr, l.bits/2, func() {
		t := l.reg()
		l.mul(Mem{Base: pr[2]}, mom, t) // b·mom
		b := l.fma(keep, l.load(pr[1]), t)
		l.mov(b, Mem{Base: pr[2]})
		l.mov(l.fma(negLR, b, l.load(pr[0])), Mem{Base: pr[0]})
	})
	Label(name + "_plain")
	loop(name+"_plain", n, pr[:2], l.bits/2, func() {
		l.mov(l.fma(negLR, l.load(pr[1]), l.load(pr[0])), Mem{Base: pr[0]})
	})
}
