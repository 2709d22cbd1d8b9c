// Package kernels holds symgrad's plain-slice compute kernels: the
// executor's elementwise arithmetic and sums, im2col and col2im, the max
// pool and the LSTM cell and gate maps. They take []float64 or []float32
// (generic where the two dtypes share their logic), know nothing of graphs
// or Gorgonia, allocate nothing and run in the order their comments state,
// so results are reproducible bit for bit. Each kernel is tested against a
// naive reference written out in its test.
//
// The ops that call them (package ops) check shapes and dtypes; a kernel
// trusts its geometry and panics on slices that are too short.
package kernels

// Float is the element type of the generic kernels.
type Float interface{ float32 | float64 }
