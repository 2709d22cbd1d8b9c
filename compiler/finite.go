package compiler

import (
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
)

// firstNonFinite finds the first NaN or ±Inf in v and returns its index
// (row-major coordinates) and a word for it.
func firstNonFinite(v G.Value) (at []int, what string, found bool) {
	if finite(v) {
		return nil, "", false
	}
	var idx = -1
	switch d := v.Data().(type) {
	case []float64:
		for i, x := range d {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				idx, what = i, describe(x)
				break
			}
		}
	case []float32:
		for i, x := range d {
			if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
				idx, what = i, describe(f)
				break
			}
		}
	case float64:
		if math.IsNaN(d) || math.IsInf(d, 0) {
			return nil, describe(d), true
		}
	case float32:
		if f := float64(d); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, describe(f), true
		}
	}
	if idx < 0 {
		return nil, "", false
	}
	return floatdense.Unravel(idx, v.Shape()), what, true
}

func describe(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case x > 0:
		return "+Inf"
	}
	return "-Inf"
}

// copyData copies src's elements into dst, which has the same shape and
// dtype.
func copyData(dst *tensor.Dense, src tensor.Tensor) error {
	if s, ok := src.(*tensor.Dense); ok && !s.IsMaterializable() && s.Dtype() == dst.Dtype() {
		// Typed accessors: Data() allocates an interface per call.
		switch dst.Dtype() {
		case tensor.Float64:
			copy(dst.Float64s(), s.Float64s())
			return nil
		case tensor.Float32:
			copy(dst.Float32s(), s.Float32s())
			return nil
		case tensor.Int64:
			copy(dst.Int64s(), s.Int64s())
			return nil
		}
	}
	return tensor.Copy(dst, src)
}

// checkFinite checks the loss and every gradient of the last training run;
// on a non-finite value it reruns the pass with every value traced to name
// the first node that produced it.
func (p *Program) checkFinite() error {
	bad := !finite(p.lossVal) || (p.objVal != nil && !finite(p.objVal))
	for _, v := range p.gradVals {
		bad = bad || !finite(v)
	}
	if bad {
		return p.diagnose()
	}
	return nil
}

// finite reports whether every element of v is finite, without
// allocating. It sums x - x over the elements: the sum is 0 for finite
// elements and NaN as soon as one is NaN or ±Inf (Inf - Inf is NaN), a
// branch-free loop that runs at memory speed.
func finite(v G.Value) bool {
	switch d := v.(type) {
	case *G.F64:
		return *d-*d == 0
	case *G.F32:
		return *d-*d == 0
	case *tensor.Dense: // Float64s and Float32s, unlike Data, do not allocate
		switch d.Dtype() {
		case tensor.Float64:
			return finiteSlice(d.Float64s())
		case tensor.Float32:
			return finiteSlice(d.Float32s())
		}
		return true
	}
	switch d := v.Data().(type) {
	case []float64:
		return finiteSlice(d)
	case []float32:
		return finiteSlice(d)
	case float64:
		return d-d == 0
	case float32:
		return d-d == 0
	}
	return true
}

// finiteSlice sums x - x in four independent accumulators (one would
// chain every addition on the previous one's latency).
func finiteSlice[T float32 | float64](d []T) bool {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(d); i += 4 {
		s0 += d[i] - d[i]
		s1 += d[i+1] - d[i+1]
		s2 += d[i+2] - d[i+2]
		s3 += d[i+3] - d[i+3]
	}
	for ; i < len(d); i++ {
		s0 += d[i] - d[i]
	}
	return s0+s1+s2+s3 == 0
}
