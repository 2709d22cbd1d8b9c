// Command asmgen generates the AVX2+FMA micro-kernels of package gemm
// (kernel_amd64.s and its Go declarations kernel_amd64.go) with avo.
// Run it through `go generate ./ops/kernels/gemm/...`; the output is
// byte for byte what is committed (TestGeneratedAssembly checks it).
//
// Each kernel computes one MR x NR tile of C from a packed panel of A
// and a panel of B with row stride ldb (NR when packed, B's own leading
// dimension when B is read in place):
//
//	acc[r][j] = Σ_p a[p*MR+r] · b[p*ldb+j]  (one FMA per p, p ascending)
//	C[r][j]   = alpha·acc[r][j]             (load == 0: C is not read)
//	C[r][j]   = fma(beta, C[r][j], alpha·acc[r][j])   (load != 0)
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

// mr is the tile height (rows of C) of both kernels; unroll is how many
// steps of p one pass of the main loop does.
const (
	mr     = 6
	unroll = 4
)

// precision describes one element type's instructions.
type precision struct {
	name      string // kernel name
	elem      string // Go element type
	size      int    // bytes per element
	nr        int    // tile width: two YMM registers
	broadcast func(...Op)
	fma       func(...Op)
	mul       func(...Op)
	load      func(...Op)
	store     func(...Op)
	zero      func(...Op)
}

func main() {
	asmtest.EnterOutputDir()
	ConstraintExpr("amd64,!purego")
	kernel(precision{
		name: "dkernel6x8", elem: "float64", size: 8, nr: 8,
		broadcast: VBROADCASTSD, fma: VFMADD231PD, mul: VMULPD,
		load: VMOVUPD, store: VMOVUPD, zero: VXORPD,
	})
	kernel(precision{
		name: "skernel6x16", elem: "float32", size: 4, nr: 16,
		broadcast: VBROADCASTSS, fma: VFMADD231PS, mul: VMULPS,
		load: VMOVUPS, store: VMOVUPS, zero: VXORPS,
	})
	Generate()
}

// kernel emits one micro-kernel. Registers: Y0-Y11 hold the 6x2
// accumulators (row r in Y(2r), Y(2r+1)), Y12-Y13 a row of the B panel,
// Y14-Y15 broadcast elements of the A panel, then alpha and beta.
func kernel(pr precision) {
	TEXT(pr.name, NOSPLIT, fmt.Sprintf("func(kc int, a, b *%s, ldb int, c *%s, ldc int, alpha, beta %s, load int)", pr.elem, pr.elem, pr.elem))
	Doc(pr.name+" computes one 6x"+fmt.Sprint(pr.nr)+" tile of C from packed panels (see package asmgen).",
		"It requires AVX2 and FMA.")
	acc := []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11}
	kc := Load(Param("kc"), GP64())
	pa := Load(Param("a"), GP64())
	pb := Load(Param("b"), GP64())
	ldb := Load(Param("ldb"), GP64())
	SHLQ(U8(map[int]uint8{8: 3, 4: 2}[pr.size]), ldb)
	// Prefetch the tile of C (both ends of each row) while the loop runs.
	pc := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(map[int]uint8{8: 3, 4: 2}[pr.size]), ldc)
	pf := GP64()
	MOVQ(pc, pf)
	for r := 0; r < mr; r++ {
		PREFETCHT0(Mem{Base: pf})
		PREFETCHT0(Mem{Base: pf, Disp: pr.nr*pr.size - 1})
		if r < mr-1 {
			ADDQ(ldc, pf)
		}
	}
	for _, y := range acc {
		pr.zero(y, y, y)
	}
	aStep := mr * pr.size
	step := func(u int) {
		pr.load(Mem{Base: pb}, Y12)
		pr.load(Mem{Base: pb, Disp: 32}, Y13)
		ADDQ(ldb, pb)
		for r := 0; r < mr; r++ {
			bc := []VecPhysical{Y14, Y15}[r%2]
			pr.broadcast(Mem{Base: pa, Disp: u*aStep + r*pr.size}, bc)
			pr.fma(Y12, bc, acc[2*r])
			pr.fma(Y13, bc, acc[2*r+1])
		}
	}
	Label(pr.name + "_loop")
	CMPQ(kc, U32(unroll))
	JL(LabelRef(pr.name + "_tail"))
	for u := 0; u < unroll; u++ {
		step(u)
	}
	ADDQ(U32(unroll*aStep), pa)
	SUBQ(U32(unroll), kc)
	JMP(LabelRef(pr.name + "_loop"))

	Label(pr.name + "_tail")
	TESTQ(kc, kc)
	JE(LabelRef(pr.name + "_epilogue"))
	step(0)
	ADDQ(U32(aStep), pa)
	DECQ(kc)
	JMP(LabelRef(pr.name + "_tail"))

	Label(pr.name + "_epilogue")
	pr.broadcast(addr("alpha"), Y14)
	for _, y := range acc {
		pr.mul(Y14, y, y)
	}
	load := Load(Param("load"), GP64())
	TESTQ(load, load)
	JE(LabelRef(pr.name + "_store"))
	pr.broadcast(addr("beta"), Y15)
	for r := 0; r < mr; r++ {
		pr.fma(Mem{Base: pc}, Y15, acc[2*r])
		pr.fma(Mem{Base: pc, Disp: 32}, Y15, acc[2*r+1])
		pr.store(acc[2*r], Mem{Base: pc})
		pr.store(acc[2*r+1], Mem{Base: pc, Disp: 32})
		ADDQ(ldc, pc)
	}
	VZEROUPPER()
	RET()

	Label(pr.name + "_store")
	for r := 0; r < mr; r++ {
		pr.store(acc[2*r], Mem{Base: pc})
		pr.store(acc[2*r+1], Mem{Base: pc, Disp: 32})
		ADDQ(ldc, pc)
	}
	VZEROUPPER()
	RET()
}

// addr is the stack address of the named parameter.
func addr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}
