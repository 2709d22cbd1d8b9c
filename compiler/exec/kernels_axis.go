package exec

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
	"github.com/symgrad/symgrad/ops/kernels"
)

// Native kernels for Gorgonia's sum along one axis and its reshape, the
// ops of broadcast gradients (a bias's Σ over the batch, a layer norm's Σ
// over its features) and of Gorgonia's own gradient of a sum (a reshape,
// then repeats). Their Do allocates its result and a reduction's headers
// on every call.

// axisKernelFor returns a native kernel for a sum along one axis or a
// reshape, or nil.
func axisKernelFor(n *G.Node, id ops.Identity) *nativeKernel {
	switch {
	case id.Kind == ops.KindSum && len(id.Axes) == 1 && !n.IsScalar():
		axis := id.Axes[0]
		return &nativeKernel{name: "sum along an axis", f: func(out G.Value, in []G.Value) error { return sumAlongKernel(axis, out, in) }}
	case id.Kind == ops.KindReshapeView && !n.IsScalar():
		return &nativeKernel{name: "reshape", f: copyKernel}
	case id.Kind == ops.KindRepeat && !n.IsScalar():
		axis := id.Axis
		return &nativeKernel{name: "repeat", f: func(out G.Value, in []G.Value) error { return repeatKernel(axis, out, in) }}
	}
	return nil
}

// sumAlongKernel is out = Σ_axis in[0], summed as Gorgonia's tensor
// package sums (bit for bit): along the last axis of a tensor of two or
// more dimensions each sum starts from 0 (ReduceLast), along any other
// axis from the first element (ReduceFirst, ReduceDefault), and the terms
// are added in index order.
func sumAlongKernel(axis int, out G.Value, in []G.Value) error {
	if len(in) != 1 {
		return errKernelInput
	}
	x, ok := in[0].(*tensor.Dense)
	if !ok {
		return errKernelInput
	}
	s := x.Shape()
	if axis < 0 || axis >= len(s) {
		return errKernelInput
	}
	outer, n, inner := kernels.AxisLayout(s, axis)
	fromZero := axis > 0 && axis == len(s)-1
	if done, err := sumAlongAs[float64](out, x, outer, n, inner, fromZero); done {
		return err
	}
	if done, err := sumAlongAs[float32](out, x, outer, n, inner, fromZero); done {
		return err
	}
	return errKernelInput
}

// sumAlongAs runs the sum when out has dtype T (done).
func sumAlongAs[T kernels.Float](out G.Value, in *tensor.Dense, outer, n, inner int, fromZero bool) (done bool, err error) {
	o, ok := elems[T](out)
	if !ok {
		return false, nil
	}
	x, ok := elems[T](in)
	if !ok || len(x) != outer*n*inner || len(o) != outer*inner || n == 0 {
		return true, errKernelInput
	}
	if inner == 1 { // along the last axis: one running sum per row
		for b := range o {
			row := x[b*n : (b+1)*n]
			if fromZero {
				o[b] = kernels.Sum(row)
			} else {
				o[b] = kernels.SumFrom(row[0], row[1:])
			}
		}
		return true, nil
	}
	for b := 0; b < outer; b++ {
		dst, src := o[b*inner:(b+1)*inner], x[b*n*inner:(b+1)*n*inner]
		if fromZero {
			clear(dst)
			for k := 0; k < n; k++ {
				for i, v := range src[k*inner : (k+1)*inner] {
					dst[i] += v
				}
			}
			continue
		}
		copy(dst, src[:inner])
		for k := 1; k < n; k++ {
			for i, v := range src[k*inner : (k+1)*inner] {
				dst[i] += v
			}
		}
	}
	return true, nil
}

// copyKernel copies in[0]'s elements into out (a reshape: the same
// elements in the same order).
func copyKernel(out G.Value, in []G.Value) error {
	if len(in) != 1 {
		return errKernelInput
	}
	if o, ok := elems[float64](out); ok {
		if x, ok := elems[float64](in[0]); ok && len(x) == len(o) {
			copy(o, x)
			return nil
		}
		return errKernelInput
	}
	if o, ok := elems[float32](out); ok {
		if x, ok := elems[float32](in[0]); ok && len(x) == len(o) {
			copy(o, x)
			return nil
		}
	}
	return errKernelInput
}

// repeatKernel is Gorgonia's repeat along axis (NumPy's repeat: every
// slice along the axis r times in a row, out[o, k·r + j, i] = x[o, k, i]),
// r read from the shapes; a one-element input fills out.
func repeatKernel(axis int, out G.Value, in []G.Value) error {
	if len(in) != 2 {
		return errKernelInput
	}
	o, ok := out.(*tensor.Dense)
	if !ok {
		return errKernelInput
	}
	outer, n, r, inner, ok := repeatLayout(axis, o.Shape(), in[0].Shape())
	if !ok {
		return errKernelInput
	}
	if done, err := repeatAs[float64](out, in[0], outer, n, r, inner); done {
		return err
	}
	if done, err := repeatAs[float32](out, in[0], outer, n, r, inner); done {
		return err
	}
	return errKernelInput
}

// repeatLayout splits out's shape around axis as [outer, n·r, inner] for an
// input of shape [outer, n, inner] (n = 1, r = every element, for a
// one-element input).
func repeatLayout(axis int, out, x tensor.Shape) (outer, n, r, inner int, ok bool) {
	if axis < 0 || axis >= len(out) {
		return 0, 0, 0, 0, false
	}
	if x.TotalSize() == 1 || len(x) == 0 {
		return 1, 1, out.TotalSize(), 1, true
	}
	if len(x) != len(out) || x[axis] == 0 || out[axis]%x[axis] != 0 {
		return 0, 0, 0, 0, false
	}
	outer, inner = 1, 1
	for i, d := range out {
		switch {
		case i != axis && d != x[i]:
			return 0, 0, 0, 0, false
		case i < axis:
			outer *= d
		case i > axis:
			inner *= d
		}
	}
	return outer, x[axis], out[axis] / x[axis], inner, true
}

// repeatAs runs the repeat when out has dtype T (done).
func repeatAs[T kernels.Float](out, in G.Value, outer, n, r, inner int) (done bool, err error) {
	o, ok := elems[T](out)
	if !ok {
		return false, nil
	}
	x, ok := elems[T](in)
	if !ok || len(x) != outer*n*inner || len(o) != outer*n*r*inner {
		return true, errKernelInput
	}
	if len(x) == 1 {
		kernels.Fill(o, x[0])
		return true, nil
	}
	if inner == 1 { // each element r times in a row: a fill, not r copies
		for i, v := range x {
			kernels.Fill(o[i*r:(i+1)*r], v)
		}
		return true, nil
	}
	at := 0
	for b := 0; b < outer; b++ {
		for k := 0; k < n; k++ {
			src := x[(b*n+k)*inner : (b*n+k+1)*inner]
			for range r {
				copy(o[at:at+inner], src)
				at += inner
			}
		}
	}
	return true, nil
}
