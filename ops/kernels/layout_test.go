package kernels

import "testing"

func TestAxisLayout(t *testing.T) {
	for _, c := range []struct {
		shape           []int
		axis            int
		outer, n, inner int
	}{
		{[]int{5}, 0, 1, 5, 1},
		{[]int{2, 3, 4}, 0, 1, 2, 12},
		{[]int{2, 3, 4}, 1, 2, 3, 4},
		{[]int{2, 3, 4}, 2, 6, 4, 1},
	} {
		if o, n, i := AxisLayout(c.shape, c.axis); o != c.outer || n != c.n || i != c.inner {
			t.Errorf("AxisLayout(%v, %d) = %d, %d, %d, want %d, %d, %d", c.shape, c.axis, o, n, i, c.outer, c.n, c.inner)
		}
	}
}
