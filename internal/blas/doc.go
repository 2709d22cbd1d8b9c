// Package blas chooses the BLAS implementation behind symgrad's matrix
// products, at build time: gonum's pure-Go implementation by default, and
// OpenBLAS (through gonum's netlib cgo binding, linked with -lopenblas)
// when built with -tags openblas. The OpenBLAS build also hands the same
// implementation to Gorgonia and its tensor package (gorgonia.Use), so
// Gorgonia's own matrix products use it too.
//
// The choice is a build constant, not a runtime switch: no package-level
// mutable state.
package blas
