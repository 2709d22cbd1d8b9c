// Command asmgen generates the AVX2+FMA Adam step of package optimizers
// (adam_amd64.s and its Go declarations adam_amd64.go) with avo. Run it
// through `go generate ./optimizers/...`; the output is byte for byte what
// is committed (TestGeneratedAssembly checks it).
//
// Each kernel is adamPlain (adam.go) over a block of lanes, the same
// operations in the same order and precision, so that it is bit for bit
// the Go loop (TestAdamKernelIsAdamPlain):
//
//	m' = fma(c1, g, m·b1)      v' = fma(c2·g, g, v·b2)
//	p' = p + negStep·m' / (sqrt(v')/bc2sqrt + eps)
//
// In float32 the two fused multiply-adds run in float64 and are rounded
// to float32, as adamPlain's fma does; every other operation is float32.
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

// The gradient parameter is named grad: g is the goroutine register to
// Go's assembler.
func main() {
	asmtest.EnterOutputDir()
	ConstraintExpr("amd64,!purego")
	adam32()
	adam64()
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

// kernel starts the kernel adam<bits>AVX2 on l's lanes: its declaration
// and documentation, then the loads of its arguments, the pointers to p,
// grad, m and v and the count n. bcast loads constant i of k into a new
// register.
func kernel(l lanes) (pp, pg, pm, pv, n Register, bcast func(i int) VecVirtual) {
	name := fmt.Sprintf("adam%dAVX2", l.bits)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(p, grad, m, v *float%d, n int, k *[8]float%d)", l.bits, l.bits))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s is adamPlain[float%d] over n elements, n a multiple of 4, with the step's", name, l.bits),
		"constants k (see package asmgen). It requires AVX2 and FMA.")
	pp, pg, pm, pv = Load(Param("p"), GP64()), Load(Param("grad"), GP64()), Load(Param("m"), GP64()), Load(Param("v"), GP64())
	n, pk := Load(Param("n"), GP64()), Load(Param("k"), GP64())
	bcast = func(i int) VecVirtual {
		x := l.reg()
		l.broadcast(Mem{Base: pk, Disp: l.bits / 8 * i}, x)
		return x
	}
	return pp, pg, pm, pv, n, bcast
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
	pp, pg, pm, pv, n, bcast := kernel(float32s)
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
	pp, pg, pm, pv, n, bcast := kernel(float64s)
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
