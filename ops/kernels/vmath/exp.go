package vmath

import "math"

// ln2lo is ln 2 - math.Ln2: the second part of the Cody-Waite reduction.
const ln2lo = 2.319046813846299558e-17

// The polynomial's range: e^x for x in [minPoly, maxPoly] is a normal
// float64 that p·2^k represents without a subnormal step.
const (
	minPoly = -708
	maxPoly = 709
)

// coef[i] is 1/i!, the Taylor coefficients of e^r for |r| <= ln2/2,
// where the degree-13 truncation is below 1e-17.
var coef = func() (c [14]float64) {
	for i := range c {
		f := 1.0
		for j := 2; j <= i; j++ {
			f *= float64(j)
		}
		c[i] = 1 / f
	}
	return c
}()

// expPoly is e^x for x in [minPoly, maxPoly], as the kernel computes it.
func expPoly(x float64) float64 {
	k := math.RoundToEven(x * math.Log2E)
	r := math.FMA(-k, math.Ln2, x)
	r = math.FMA(-k, ln2lo, r)
	p := coef[13]
	for i := 12; i >= 0; i-- {
		p = math.FMA(p, r, coef[i])
	}
	return math.Float64frombits(math.Float64bits(p) + uint64(int64(k))<<52)
}

// expOne is e^x for any x.
func expOne(x float64) float64 {
	if x >= minPoly && x <= maxPoly {
		return expPoly(x)
	}
	return math.Exp(x)
}

// Exp sets dst[i] = e^x[i] for every i < len(x) (dst may be x itself;
// it must be at least as long). It panics if dst is shorter.
func Exp(dst, x []float64) {
	dst = dst[:len(x)]
	done := 0
	if inRange(x) {
		done = expBlocks(dst, x)
	}
	for i := done; i < len(x); i++ {
		dst[i] = expOne(x[i])
	}
}

// inRange reports whether every element is in the polynomial's range (a
// NaN is not).
func inRange(x []float64) bool {
	for _, v := range x {
		if !(v >= minPoly && v <= maxPoly) {
			return false
		}
	}
	return true
}

// chunk is how many elements Sigmoid transforms per pass through its
// stack buffer.
const chunk = 256

// Sigmoid sets dst[i] = 1 / (1 + e^-x[i]) for every i < len(x) (dst may be
// x itself). It evaluates e^-|x| only, which never overflows:
// 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below.
func Sigmoid(dst, x []float64) {
	dst = dst[:len(x)]
	var e [chunk]float64
	for lo := 0; lo < len(x); lo += chunk {
		xs := x[lo:min(lo+chunk, len(x))]
		es := e[:len(xs)]
		for i, v := range xs {
			es[i] = -math.Abs(v)
		}
		Exp(es, es)
		ds := dst[lo : lo+len(xs)]
		for i, v := range xs {
			if v >= 0 {
				ds[i] = 1 / (1 + es[i])
			} else {
				ds[i] = es[i] / (1 + es[i])
			}
		}
	}
}
