// Package blas chooses the BLAS implementation behind symgrad's matrix
// products, at build time. The default build is pure Go: gonum's BLAS
// with its general matrix products (Dgemm, Sgemm) replaced by package
// ops/kernels/gemm. With -tags openblas it is OpenBLAS (through gonum's
// netlib cgo binding, linked with -lopenblas). Either build hands its
// implementation to Gorgonia and its tensor package (gorgonia.Use), so
// Gorgonia's own matrix products use it too.
//
// The choice is a build constant, not a runtime switch: no package-level
// mutable state.
package blas
