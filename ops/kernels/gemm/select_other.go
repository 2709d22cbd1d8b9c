//go:build !amd64 || purego

package gemm

// hasAsm is false: this build has only the plain-Go kernels.
const hasAsm = false

func kernelName() string { return "go" }

func kernel64() kernelFunc[float64] { return dkernelGo }

func kernel32() kernelFunc[float32] { return skernelGo }
