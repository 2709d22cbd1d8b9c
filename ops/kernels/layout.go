package kernels

// AxisLayout splits a shape around axis into outer × n × inner: the
// product of the dimensions before axis, the axis's own and the product
// of those after it. An op along one axis of a row-major tensor visits
// element (o, k, i) at (o·n + k)·inner + i.
func AxisLayout(shape []int, axis int) (outer, n, inner int) {
	outer, inner = 1, 1
	for i, d := range shape {
		switch {
		case i < axis:
			outer *= d
		case i > axis:
			inner *= d
		}
	}
	return outer, shape[axis], inner
}
