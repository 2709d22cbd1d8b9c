//go:build !mpi

package mpi

import "github.com/pkg/errors"

// Built reports whether the package was built with MPI (the mpi tag).
const Built = false

func initMPI() (rank, size int, err error) { return 0, 1, nil }

func allreduceF64([]float64) error { return nil }

func allreduceF32([]float32) error { return nil }

func bcast(_ []byte, root int) error {
	if root != 0 {
		return errors.Errorf("mpi: broadcast from rank %d in a job of one process (built without -tags mpi)", root)
	}
	return nil
}

func barrier() error { return nil }

func abort(int) {}

func finalize() error { return nil }
