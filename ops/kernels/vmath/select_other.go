//go:build !amd64 || purego

package vmath

// expBlocks does nothing: expPoly computes every element.
func expBlocks(dst, x []float64) int { return 0 }

// sigmoidBlocks does nothing: sigmoidPoly computes every element.
func sigmoidBlocks(dst, x []float64) int { return 0 }
