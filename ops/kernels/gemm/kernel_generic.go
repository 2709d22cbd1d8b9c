package gemm

import "math"

// nr64 and nr32 are the micro-tile widths: two 256-bit vectors.
const (
	nr64 = 8
	nr32 = 16
)

// dkernelGo is the plain-Go float64 micro-kernel (mr x nr64). It performs
// the assembly kernel's operations on every element in the same order
// (math.FMA over p ascending), so its results are the same bits. It works
// on 2 x 4 sub-tiles so that the accumulators stay in registers.
func dkernelGo(kc int, a, b, c *float64, ldc int, alpha, beta float64, load int) {
	ap := unsafeSlice(a, kc*mr)
	bp := unsafeSlice(b, kc*nr64)
	cs := unsafeSlice(c, (mr-1)*ldc+nr64)
	for r := 0; r < mr; r += 2 {
		for j := 0; j < nr64; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float64
			for q := range kc {
				av := (*[2]float64)(ap[q*mr+r:])
				bv := (*[4]float64)(bp[q*nr64+j:])
				a0, a1 := av[0], av[1]
				b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
				c00, c01, c02, c03 = math.FMA(a0, b0, c00), math.FMA(a0, b1, c01), math.FMA(a0, b2, c02), math.FMA(a0, b3, c03)
				c10, c11, c12, c13 = math.FMA(a1, b0, c10), math.FMA(a1, b1, c11), math.FMA(a1, b2, c12), math.FMA(a1, b3, c13)
			}
			store64((*[4]float64)(cs[r*ldc+j:]), [4]float64{c00, c01, c02, c03}, alpha, beta, load)
			store64((*[4]float64)(cs[(r+1)*ldc+j:]), [4]float64{c10, c11, c12, c13}, alpha, beta, load)
		}
	}
}

// store64 writes alpha·acc, or fma(beta, C, alpha·acc) when load != 0.
func store64(dst *[4]float64, acc [4]float64, alpha, beta float64, load int) {
	for j, v := range acc {
		v *= alpha
		if load != 0 {
			v = math.FMA(beta, dst[j], v)
		}
		dst[j] = v
	}
}

// skernelGo is the plain-Go float32 micro-kernel (mr x nr32), like
// dkernelGo. Each fused multiply-add is computed in float64 and rounded
// to float32, which is the correctly rounded float32 FMA except in rare
// double-rounding cases.
func skernelGo(kc int, a, b, c *float32, ldc int, alpha, beta float32, load int) {
	ap := unsafeSlice(a, kc*mr)
	bp := unsafeSlice(b, kc*nr32)
	cs := unsafeSlice(c, (mr-1)*ldc+nr32)
	for r := 0; r < mr; r += 2 {
		for j := 0; j < nr32; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			for q := range kc {
				av := (*[2]float32)(ap[q*mr+r:])
				bv := (*[4]float32)(bp[q*nr32+j:])
				a0, a1 := av[0], av[1]
				b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
				c00, c01, c02, c03 = fma32(a0, b0, c00), fma32(a0, b1, c01), fma32(a0, b2, c02), fma32(a0, b3, c03)
				c10, c11, c12, c13 = fma32(a1, b0, c10), fma32(a1, b1, c11), fma32(a1, b2, c12), fma32(a1, b3, c13)
			}
			store32((*[4]float32)(cs[r*ldc+j:]), [4]float32{c00, c01, c02, c03}, alpha, beta, load)
			store32((*[4]float32)(cs[(r+1)*ldc+j:]), [4]float32{c10, c11, c12, c13}, alpha, beta, load)
		}
	}
}

// store32 is store64 in float32.
func store32(dst *[4]float32, acc [4]float32, alpha, beta float32, load int) {
	for j, v := range acc {
		v *= alpha
		if load != 0 {
			v = fma32(beta, dst[j], v)
		}
		dst[j] = v
	}
}

// fma32 is x·y + z with one rounding to float32 (via float64, where x·y
// is exact).
func fma32(x, y, z float32) float32 {
	return float32(math.FMA(float64(x), float64(y), float64(z)))
}
