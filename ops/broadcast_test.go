package ops_test

import (
	"slices"
	"testing"

	"github.com/symgrad/symgrad/ops"
)

// TestBroadcastShapes checks the numpy rule, shared by ops and compiler/expr.
func TestBroadcastShapes(t *testing.T) {
	cases := []struct {
		x, y, out    []int
		xAxes, yAxes []byte
		ok           bool
	}{
		{[]int{4, 2}, []int{2}, []int{4, 2}, nil, []byte{0}, true},
		{[]int{2}, []int{4, 2}, []int{4, 2}, []byte{0}, nil, true},
		{[]int{4, 1}, []int{1, 3}, []int{4, 3}, []byte{1}, []byte{0}, true},
		{[]int{2, 3, 4}, []int{3, 1}, []int{2, 3, 4}, nil, []byte{0, 2}, true},
		{[]int{1}, []int{5}, []int{5}, []byte{0}, nil, true},
		{[]int{4, 2}, []int{3}, nil, nil, nil, false},
		{[]int{2, 3}, []int{3, 3}, nil, nil, nil, false},
	}
	for _, c := range cases {
		out, xa, ya, err := ops.BroadcastShapes(c.x, c.y)
		if (err == nil) != c.ok {
			t.Fatalf("%v, %v: err %v, want ok=%v", c.x, c.y, err, c.ok)
		}
		if c.ok && (!slices.Equal(out, c.out) || !slices.Equal(xa, c.xAxes) || !slices.Equal(ya, c.yAxes)) {
			t.Fatalf("%v, %v: got %v %v %v, want %v %v %v", c.x, c.y, out, xa, ya, c.out, c.xAxes, c.yAxes)
		}
	}
}
