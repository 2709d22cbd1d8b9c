package gemm

import (
	"testing"

	"github.com/symgrad/symgrad/internal/asmtest"
)

// TestGeneratedAssembly: kernel_amd64.s and kernel_amd64.go are what the
// avo generator (the go:generate line in select_amd64.go) writes.
func TestGeneratedAssembly(t *testing.T) {
	asmtest.CheckGenerated(t, "gemm", "kernel_amd64.s", "kernel_amd64.go")
}
