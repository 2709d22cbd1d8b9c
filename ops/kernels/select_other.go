//go:build !amd64 || purego

package kernels

// binaryBlocks does nothing: Binary's loops compute every element.
func binaryBlocks[T Float](op Arith, form int, o, a, b []T) int { return 0 }
