package compiler

import (
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// firstNonFinite finds the first NaN or ±Inf in v and returns its index
// (row-major coordinates) and a word for it.
func firstNonFinite(v G.Value) (at []int, what string, found bool) {
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
	return unravel(idx, v.Shape()), what, true
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

func unravel(i int, shape tensor.Shape) []int {
	at := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		at[k] = i % shape[k]
		i /= shape[k]
	}
	return at
}

// copyData copies src's elements into dst, which has the same shape and
// dtype.
func copyData(dst *tensor.Dense, src tensor.Tensor) error {
	if s, ok := src.(*tensor.Dense); ok && !s.IsMaterializable() {
		switch d := dst.Data().(type) {
		case []float64:
			copy(d, s.Data().([]float64))
			return nil
		case []float32:
			copy(d, s.Data().([]float32))
			return nil
		case []int64:
			copy(d, s.Data().([]int64))
			return nil
		}
	}
	return tensor.Copy(dst, src)
}

// checkFinite checks the loss and every gradient of the last training run;
// on a non-finite value it reruns the pass with every value traced to name
// the first node that produced it.
func (p *Program) checkFinite() error {
	vals := append([]G.Value{p.lossVal}, p.gradVals...)
	if p.objVal != nil {
		vals = append(vals, p.objVal)
	}
	for _, v := range vals {
		if _, _, bad := firstNonFinite(v); bad {
			return p.diagnose()
		}
	}
	return nil
}
