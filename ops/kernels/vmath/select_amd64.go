//go:build amd64 && !purego

package vmath

import "golang.org/x/sys/cpu"

//go:generate go run ./internal/asmgen -out exp_amd64.s -stubs exp_amd64.go -pkg vmath

// hasAsm is whether the CPU runs the generated AVX2+FMA kernels.
var hasAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// sigmoidBlocks runs the kernel on the longest prefix of x that is a
// multiple of 8 and returns its length (0 without the kernel).
func sigmoidBlocks(dst, x []float64) int {
	n := len(x) &^ 7
	if !hasAsm || n == 0 {
		return 0
	}
	sigmoidAVX2(&dst[0], &x[0], n)
	return n
}

// expBlocks runs the kernel on the longest prefix of x that is a multiple
// of 16 and returns its length (0 without the kernel).
func expBlocks(dst, x []float64) int {
	n := len(x) &^ 15
	if !hasAsm || n == 0 {
		return 0
	}
	expAVX2(&dst[0], &x[0], n)
	return n
}
