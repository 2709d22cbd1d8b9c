//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run ./internal/asmgen -out binary_amd64.s -stubs binary_amd64.go -pkg kernels

// hasAVX is whether the CPU runs the generated AVX kernels.
var hasAVX = cpu.X86.HasAVX

// binaryBlocks runs Binary's kernel for form (vecVec, vecScalar or
// scalarVec: a and b len(o) long, or the scalar one element) on the
// longest prefix of o that is a whole number of passes (32 float32s, 16
// float64s) and returns its length (0 without the kernels).
func binaryBlocks[T Float](op Arith, form int, o, a, b []T) int {
	if !hasAVX || op > Div {
		return 0
	}
	switch o := any(o).(type) {
	case []float32:
		n := len(o) &^ 31
		if n > 0 {
			arith32AVX(&o[0], &any(a).([]float32)[0], &any(b).([]float32)[0], n, int(op), form)
		}
		return n
	case []float64:
		n := len(o) &^ 15
		if n > 0 {
			arith64AVX(&o[0], &any(a).([]float64)[0], &any(b).([]float64)[0], n, int(op), form)
		}
		return n
	}
	return 0
}
