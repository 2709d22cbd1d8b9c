//go:build !openblas

package blas

import "gonum.org/v1/gonum/blas/gonum"

// impl is gonum's pure-Go BLAS (the default build).
var impl = gonum.Implementation{}

const name = "gonum"

// threadsFor does nothing: gonum parallelizes large products itself.
func threadsFor(m, n, k int) {}
