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
	if within(x, minPoly, maxPoly) {
		done = expBlocks(dst, x)
	}
	for i := done; i < len(x); i++ {
		dst[i] = expOne(x[i])
	}
}

// within reports whether every element is in [lo, hi] (a NaN is not):
// whether the kernel's polynomial serves the whole slice.
func within(x []float64, lo, hi float64) bool {
	for _, v := range x {
		if !(v >= lo && v <= hi) {
			return false
		}
	}
	return true
}

// maxSigmoid bounds |x| for sigmoidPoly: e^-|x| stays in expPoly's range.
const maxSigmoid = -minPoly

// sigmoidPoly is σ(x) for |x| <= maxSigmoid, as the kernel computes it:
// with e = e^-|x|, which never overflows, 1/(1+e) for x >= 0 and
// e/(1+e) below (by the sign bit: σ(-0) = 1/2 either way).
func sigmoidPoly(x float64) float64 {
	e := expPoly(-math.Abs(x))
	if math.Signbit(x) {
		return e / (1 + e)
	}
	return 1 / (1 + e)
}

// sigmoidOne is σ(x) for any x.
func sigmoidOne(x float64) float64 {
	if math.Abs(x) <= maxSigmoid {
		return sigmoidPoly(x)
	}
	if x > 0 {
		return 1
	}
	if math.IsNaN(x) {
		return x
	}
	return math.Exp(x) // e^x / (1 + e^x) = e^x once e^x < 2^-1000
}

// Sigmoid sets dst[i] = 1 / (1 + e^-x[i]) for every i < len(x) (dst may be
// x itself; it must be at least as long). It panics if dst is shorter.
func Sigmoid(dst, x []float64) {
	dst = dst[:len(x)]
	done := 0
	if within(x, -maxSigmoid, maxSigmoid) {
		done = sigmoidBlocks(dst, x)
	}
	for i := done; i < len(x); i++ {
		dst[i] = sigmoidOne(x[i])
	}
}
