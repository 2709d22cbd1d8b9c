package vmath

import "math"

// tanhMax is where math.Tanh's result is ±1: |x| > log(2^127)/2.
const tanhMax = 0.5 * 8.8029691931113054295988e+01

// tanhSmall is the |x| below which math.Tanh uses its rational function
// rather than an exponential.
const tanhSmall = 0.625

// tanhP and tanhQ are math.Tanh's rational approximation (Cephes) of
// tanh x on |x| < tanhSmall: x + x·s·P(s)/Q(s), s = x².
var (
	tanhP = [...]float64{-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3}
	tanhQ = [...]float64{1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3}
)

// tanhChunk is how many exponentials Tanh takes at a time.
const tanhChunk = 256

// Tanh sets dst[i] = tanh x[i] for every i < len(x) (dst may be x itself;
// it must be at least as long). It panics if dst is shorter.
//
// It is math.Tanh's method with the exponentials taken by Exp, a chunk at
// a time: below |x| = 0.625 the same rational function, bit for bit
// math.Tanh; up to |x| = 44, 1 - 2/(e^2|x| + 1) with the sign of x, whose
// e^2|x| is within 2 ulp of math.Exp's, so that the result is within 3
// ulp of math.Tanh (2 over a sweep of [-50, 50] in steps of 1e-4,
// TestTanhMatchesMathTanh); above, ±1. NaN gives NaN, ±0 gives ±0.
func Tanh(dst, x []float64) {
	dst = dst[:len(x)]
	var buf [tanhChunk]float64
	for lo := 0; lo < len(x); lo += tanhChunk {
		xs := x[lo:min(lo+tanhChunk, len(x))]
		e := buf[:len(xs)]
		for i, v := range xs {
			e[i] = 0 // e^0, not used: keeps the chunk in Exp's polynomial range
			if z := math.Abs(v); z >= tanhSmall && z <= tanhMax {
				e[i] = 2 * z
			}
		}
		Exp(e, e)
		ds := dst[lo : lo+len(xs)]
		for i, v := range xs {
			ds[i] = tanhOf(v, e[i])
		}
	}
}

// tanhOf is tanh x as math.Tanh computes it, given s = e^2|x| where
// tanhSmall <= |x| <= tanhMax.
func tanhOf(x, s float64) float64 {
	z := math.Abs(x)
	switch {
	case z > tanhMax:
		if x < 0 {
			return -1
		}
		return 1
	case z >= tanhSmall:
		z = 1 - 2/(s+1)
		if x < 0 {
			z = -z
		}
		return z
	case x == 0:
		return x
	}
	s = x * x
	return x + x*s*((tanhP[0]*s+tanhP[1])*s+tanhP[2])/(((s+tanhQ[0])*s+tanhQ[1])*s+tanhQ[2])
}
