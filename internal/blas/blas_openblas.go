//go:build openblas

package blas

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
import "C"

import (
	"os"
	"sync/atomic"

	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// impl is OpenBLAS through gonum's netlib binding (-tags openblas).
var impl = netlib.Implementation{}

const name = "openblas"

// fixedThreads is set when OPENBLAS_NUM_THREADS is: the user's thread
// count is then left alone.
var fixedThreads = os.Getenv("OPENBLAS_NUM_THREADS") != ""

// threads caches the thread count last given to OpenBLAS (a process-wide
// setting of the C library), so that it is set only when it changes.
var threads atomic.Int32

// init makes Gorgonia and its tensor package use OpenBLAS as well, and
// starts OpenBLAS on one thread (see threadsFor).
func init() {
	G.Use(impl)
	threadsFor(1, 1, 1)
}

// parallelThreads is the thread count of products of at least
// parallelWork: a constant, not the machine's core count, because
// OpenBLAS's results depend on its thread count (a 300x300x300 product
// differs in its last bits between 1 and 2 threads): with a fixed count, a
// seeded run gives the same bits on every machine with the same OpenBLAS
// kernel (docs/determinism.md). Setting OPENBLAS_NUM_THREADS overrides it,
// and then results follow that setting.
const parallelThreads = 2

// threadCount is the thread count threadsFor gives an m×n×k product.
func threadCount(m, n, k int) int32 {
	if m*n*k >= parallelWork {
		return parallelThreads
	}
	return 1
}

// threadsFor runs OpenBLAS on one thread for products smaller than
// parallelWork and on parallelThreads for larger ones, unless
// OPENBLAS_NUM_THREADS is set.
func threadsFor(m, n, k int) {
	if fixedThreads {
		return
	}
	want := threadCount(m, n, k)
	if threads.Swap(want) != want {
		C.openblas_set_num_threads(C.int(want))
	}
}
