//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run ./internal/asmgen -out kernel_amd64.s -stubs kernel_amd64.go -pkg gemm

// hasAsm is whether the CPU runs the generated AVX2+FMA kernels.
var hasAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

func kernelName() string {
	if hasAsm {
		return "avx2+fma"
	}
	return "go"
}

func kernel64() kernelFunc[float64] {
	if hasAsm {
		return dkernel6x8
	}
	return dkernelGo
}

func kernel32() kernelFunc[float32] {
	if hasAsm {
		return skernel6x16
	}
	return skernelGo
}
