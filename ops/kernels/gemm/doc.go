// Package gemm is a pure-Go general matrix product for float64 and
// float32, row-major like gonum's BLAS:
//
//	C = alpha·op(A)·op(B) + beta·C,   op(X) = X or Xᵀ,
//
// with C [m, n], op(A) [m, k], op(B) [k, n] and leading dimensions
// (row strides) lda, ldb, ldc. beta = 0 overwrites C without reading it,
// so NaN or Inf already in C does not leak into the result.
//
// The design is Goto's and BLIS's (Goto & van de Geijn, "Anatomy of
// high-performance matrix multiplication", ACM TOMS 34(3), 2008; Van Zee &
// van de Geijn, "BLIS", ACM TOMS 41(3), 2015): op(B) is packed into a
// KC x NC block of NR-wide column panels, op(A) into an MC x KC block of
// MR-high row panels, and a register-blocked micro-kernel computes one
// MR x NR tile of C from one panel of each. When a goroutine's share of
// C has at most two row blocks and B is not transposed, the kernel reads
// B in place (its row stride is a kernel argument) instead of packing it. On amd64 with AVX2 and FMA
// the micro-kernels (6x8 for float64, 6x16 for float32) are Go assembly
// generated with avo (internal/asmgen; `go generate ./ops/kernels/gemm/...`
// reproduces kernel_amd64.s byte for byte); elsewhere, and with the
// purego build tag, a plain-Go kernel computes the same tile.
//
// Large products are split over the rows (or the columns) of C between
// the caller and a fixed pool of helper goroutines, one per extra
// GOMAXPROCS, that own their packing buffers: a call allocates nothing
// in the steady state.
//
// Results are deterministic: every element of C is one chain of fused
// multiply-adds over p = 0..k-1 in ascending order, cut into blocks of at
// most KC steps that depend on k alone, and each block's partial sum is
// added to C in that order. The split between goroutines only decides
// who computes a tile, so the result is the same bits for any number of
// threads. (The assembly kernels fuse each multiply-add, the plain-Go
// ones round the product first on amd64: the two builds agree to
// rounding, each is deterministic.)
package gemm
