// Package mpi is a thin binding of MPI (OpenMPI, through cgo) for package
// parallel: the world communicator's rank and size, in-place sum allreduce
// of float64 and float32 buffers, broadcast of bytes, barrier and abort.
//
// It is built with the mpi tag (go build -tags mpi; Debian's openmpi-bin and
// libopenmpi-dev, found with pkg-config ompi-c) and run under mpirun.
// Without the tag the package is a pure-Go stub: World is rank 0 of 1 and
// the collectives do nothing, so the default build needs no cgo.
//
// MPI is initialized with MPI_Init_thread(MPI_THREAD_MULTIPLE) (goroutines
// move between threads) and the world's error handler is MPI_ERRORS_RETURN,
// so a failed call is a Go error naming the call. A collective that waits
// longer than the watchdog's timeout (a peer died or hangs) aborts the whole
// job with MPI_Abort, and mpirun ends every rank when one dies: a job never
// hangs.
package mpi
