// Package vmath computes transcendental functions over slices: the
// exponential and the logistic sigmoid of float64s, several at a time
// where the CPU allows (AVX2 and FMA on amd64, 16 elements per pass, in
// generated assembly), one at a time elsewhere.
//
// Both paths compute the same polynomial with the same fused
// multiply-adds, so a result does not depend on the machine or the build
// (purego): the kernel is checked bit for bit against the one-at-a-time
// code, which is within 2 ulp of math.Exp. Elements outside [-708, 709]
// (overflow, underflow to subnormals, infinities, NaN) go to math.Exp.
package vmath
