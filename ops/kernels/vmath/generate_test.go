package vmath

import (
	"testing"

	"github.com/symgrad/symgrad/internal/asmtest"
)

// TestGeneratedAssembly: exp_amd64.s and exp_amd64.go are what the avo
// generator (the go:generate line in select_amd64.go) writes.
func TestGeneratedAssembly(t *testing.T) {
	asmtest.CheckGenerated(t, "vmath", "exp_amd64.s", "exp_amd64.go")
}
