//go:build amd64 && !purego

package optimizers

import "golang.org/x/sys/cpu"

//go:generate go run ./internal/asmgen -out step_amd64.s -stubs step_amd64.go -pkg optimizers

// hasAsm is whether the CPU runs the generated AVX2+FMA kernels.
var hasAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// adamBlocks runs the kernel on the longest prefix that is a multiple of
// 4 and returns its length (0 without the kernel). m, v and g are at
// least as long as p.
func adamBlocks[T float](p, g, m, v []T, h *adamStep) int {
	n := len(p) &^ 3
	if !hasAsm || n == 0 {
		return 0
	}
	switch p := any(p).(type) {
	case []float32:
		k := [8]float32{float32(h.b1), float32(h.c1), float32(h.b2), float32(h.c2), float32(h.bc2sqrt), float32(h.eps), float32(h.negStepSize)}
		adam32AVX2(&p[0], &any(g).([]float32)[0], &any(m).([]float32)[0], &any(v).([]float32)[0], n, &k)
	case []float64:
		k := [8]float64{h.b1, h.c1, h.b2, h.c2, h.bc2sqrt, h.eps, h.negStepSize}
		adam64AVX2(&p[0], &any(g).([]float64)[0], &any(m).([]float64)[0], &any(v).([]float64)[0], n, &k)
	default:
		return 0
	}
	return n
}

// sgdBlocks runs the plain SGD kernel (buf nil) or the heavy-ball one on
// the longest prefix that is a multiple of 4 and returns its length (0
// without the kernels). g and buf are at least as long as p.
func sgdBlocks[T float](p, g, buf []T, negLR, keep, mom T) int {
	n := len(p) &^ 3
	if !hasAsm || n == 0 {
		return 0
	}
	switch p := any(p).(type) {
	case []float32:
		sgd32AVX2(&p[0], &any(g).([]float32)[0], ptrOrNil(any(buf).([]float32)), n, &[8]float32{float32(negLR), float32(keep), float32(mom)})
	case []float64:
		sgd64AVX2(&p[0], &any(g).([]float64)[0], ptrOrNil(any(buf).([]float64)), n, &[8]float64{float64(negLR), float64(keep), float64(mom)})
	default:
		return 0
	}
	return n
}

// ptrOrNil is &s[0], nil for an empty s.
func ptrOrNil[U float](s []U) *U {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}
