//go:build openblas

package blas

import "testing"

// TestThreadCountIgnoresTheMachine: the thread count depends only on the
// product's size, never on the core count, so results are the same bits
// on every machine.
func TestThreadCountIgnoresTheMachine(t *testing.T) {
	cases := []struct {
		m, n, k int
		want    int32
	}{
		{64, 50, 100, 1}, {1, 1, 1, 1}, {128, 256, 784, parallelThreads}, {300, 300, 300, parallelThreads}, {2048, 2047, 1, 1}, {2048, 2048, 1, parallelThreads},
	}
	for _, c := range cases {
		if got := threadCount(c.m, c.n, c.k); got != c.want {
			t.Errorf("threadCount(%d, %d, %d) = %d, want %d", c.m, c.n, c.k, got, c.want)
		}
	}
}
