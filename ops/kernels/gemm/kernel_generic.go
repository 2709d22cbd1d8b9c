package gemm

// nr64 and nr32 are the micro-tile widths: two 256-bit vectors.
const (
	nr64 = 8
	nr32 = 16
)

// dkernelGo is the plain-Go float64 micro-kernel (mr x nr64): the same
// sums over p in the same ascending order as the assembly kernel, as
// separate multiplies and adds (the Go compiler fuses them into FMAs on
// some architectures, such as arm64, but not on amd64), so it agrees
// with the assembly kernel to rounding.
func dkernelGo(kc int, a, b *float64, ldb int, c *float64, ldc int, alpha, beta float64, load int) {
	kernelGo(nr64, kc, a, b, ldb, c, ldc, alpha, beta, load)
}

// skernelGo is dkernelGo in float32 (mr x nr32).
func skernelGo(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, load int) {
	kernelGo(nr32, kc, a, b, ldb, c, ldc, alpha, beta, load)
}

// kernelGo computes one mr x nr tile. It works on 3 x 2 sub-tiles so that
// the accumulators and operands stay in registers.
func kernelGo[T float](nr, kc int, a, b *T, ldb int, c *T, ldc int, alpha, beta T, load int) {
	ap := unsafeSlice(a, kc*mr)
	bp := unsafeSlice(b, (kc-1)*ldb+nr)
	cs := unsafeSlice(c, (mr-1)*ldc+nr)
	for r := 0; r < mr; r += 3 {
		for j := 0; j < nr; j += 2 {
			var c00, c01, c10, c11, c20, c21 T
			for q := range kc {
				av := (*[3]T)(ap[q*mr+r:])
				bv := (*[2]T)(bp[q*ldb+j:])
				b0, b1 := bv[0], bv[1]
				a0, a1, a2 := av[0], av[1], av[2]
				c00 += a0 * b0
				c01 += a0 * b1
				c10 += a1 * b0
				c11 += a1 * b1
				c20 += a2 * b0
				c21 += a2 * b1
			}
			store2(cs[r*ldc+j:], c00, c01, alpha, beta, load)
			store2(cs[(r+1)*ldc+j:], c10, c11, alpha, beta, load)
			store2(cs[(r+2)*ldc+j:], c20, c21, alpha, beta, load)
		}
	}
}

// store2 writes alpha·acc to dst[0:2], or beta·dst + alpha·acc when
// load != 0 (then dst is read).
func store2[T float](dst []T, acc0, acc1, alpha, beta T, load int) {
	d := (*[2]T)(dst)
	v0, v1 := alpha*acc0, alpha*acc1
	if load != 0 {
		v0, v1 = beta*d[0]+v0, beta*d[1]+v1
	}
	d[0], d[1] = v0, v1
}
