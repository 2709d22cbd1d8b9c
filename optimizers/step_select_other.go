//go:build !amd64 || purego

package optimizers

// adamBlocks does nothing: adamPlain's loop computes every element.
func adamBlocks[T float](p, g, m, v []T, h *adamStep) int { return 0 }

// sgdBlocks does nothing: the SGD loops compute every element.
func sgdBlocks[T float](p, g, buf []T, negLR, keep, mom T) int { return 0 }
