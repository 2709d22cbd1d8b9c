package gemm

import "unsafe"

// unsafeSlice is the n elements from p (the kernels take pointers, like
// the assembly ones; the callers guarantee the length).
func unsafeSlice[T float](p *T, n int) []T { return unsafe.Slice(p, n) }
