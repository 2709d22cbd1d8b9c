//go:build mpi

package mpi

/*
#cgo pkg-config: ompi-c
#include <mpi.h>

// MPI_COMM_WORLD and friends are macros: wrap them.
static int sg_init(int *provided) {
	int done = 0;
	MPI_Initialized(&done);
	if (done) {
		return MPI_Query_thread(provided);
	}
	int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, provided);
	if (rc != MPI_SUCCESS) {
		return rc;
	}
	return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}
static int sg_thread_multiple(void) { return MPI_THREAD_MULTIPLE; }
static int sg_rank(int *r) { return MPI_Comm_rank(MPI_COMM_WORLD, r); }
static int sg_size(int *s) { return MPI_Comm_size(MPI_COMM_WORLD, s); }
static int sg_allreduce_f64(double *buf, int n) {
	return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}
static int sg_allreduce_f32(float *buf, int n) {
	return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}
static int sg_bcast(void *buf, int n, int root) { return MPI_Bcast(buf, n, MPI_BYTE, root, MPI_COMM_WORLD); }
static int sg_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static int sg_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }
static int sg_finalize(void) {
	int done = 0;
	MPI_Finalized(&done);
	return done ? MPI_SUCCESS : MPI_Finalize();
}
static int sg_error_string(int code, char *buf, int *len) { return MPI_Error_string(code, buf, len); }
static int sg_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
*/
import "C"

import (
	"unsafe"

	"github.com/pkg/errors"
)

// Built reports whether the package was built with MPI (the mpi tag).
const Built = true

func initMPI() (rank, size int, err error) {
	var provided C.int
	if rc := C.sg_init(&provided); rc != 0 {
		return 0, 0, mpiError("MPI_Init_thread", rc)
	}
	if provided < C.sg_thread_multiple() {
		return 0, 0, errors.Errorf("mpi: MPI_Init_thread gave thread level %d, not MPI_THREAD_MULTIPLE", int(provided))
	}
	var r, s C.int
	if rc := C.sg_rank(&r); rc != 0 {
		return 0, 0, mpiError("MPI_Comm_rank", rc)
	}
	if rc := C.sg_size(&s); rc != 0 {
		return 0, 0, mpiError("MPI_Comm_size", rc)
	}
	return int(r), int(s), nil
}

func allreduceF64(buf []float64) error {
	if len(buf) == 0 {
		return nil
	}
	return check("MPI_Allreduce", C.sg_allreduce_f64((*C.double)(unsafe.Pointer(&buf[0])), C.int(len(buf))))
}

func allreduceF32(buf []float32) error {
	if len(buf) == 0 {
		return nil
	}
	return check("MPI_Allreduce", C.sg_allreduce_f32((*C.float)(unsafe.Pointer(&buf[0])), C.int(len(buf))))
}

func bcast(buf []byte, root int) error {
	if len(buf) == 0 {
		return nil
	}
	return check("MPI_Bcast", C.sg_bcast(unsafe.Pointer(&buf[0]), C.int(len(buf)), C.int(root)))
}

func barrier() error { return check("MPI_Barrier", C.sg_barrier()) }

func abort(code int) { C.sg_abort(C.int(code)) }

func finalize() error { return check("MPI_Finalize", C.sg_finalize()) }

// check turns an MPI return code into an error (nil for MPI_SUCCESS)
// without allocating on success.
func check(call string, rc C.int) error {
	if rc == 0 {
		return nil
	}
	return mpiError(call, rc)
}

func mpiError(call string, rc C.int) error {
	buf := make([]byte, int(C.sg_max_error_string()))
	var n C.int
	if C.sg_error_string(rc, (*C.char)(unsafe.Pointer(&buf[0])), &n) != 0 {
		return errors.Errorf("mpi: %s failed with error code %d", call, int(rc))
	}
	return errors.Errorf("mpi: %s: %s (error code %d)", call, string(buf[:n]), int(rc))
}
