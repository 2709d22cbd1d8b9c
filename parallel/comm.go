package parallel

import "github.com/pkg/errors"

// Comm is a communicator between the P processes (ranks) of one job, the
// few collectives data-parallel training needs. Every rank must make the same
// calls in the same order. Package parallel/mpi provides one over MPI;
// Local is the single-process one.
type Comm interface {
	// Rank is this process's index in [0, Size).
	Rank() int
	// Size is the number of processes P.
	Size() int
	// AllreduceFloat64 replaces buf, on every rank, by the element-wise sum
	// of every rank's buf. It must not allocate.
	AllreduceFloat64(buf []float64) error
	// AllreduceFloat32 is AllreduceFloat64 for float32.
	AllreduceFloat32(buf []float32) error
	// Broadcast copies root's buf into every other rank's buf (of the
	// same length).
	Broadcast(buf []byte, root int) error
}

// Local is the Comm of a job of one process: rank 0 of 1, whose
// collectives do nothing.
type Local struct{}

var _ Comm = Local{}

// Rank returns 0.
func (Local) Rank() int { return 0 }

// Size returns 1.
func (Local) Size() int { return 1 }

// AllreduceFloat64 leaves buf as it is (the sum over one rank).
func (Local) AllreduceFloat64([]float64) error { return nil }

// AllreduceFloat32 leaves buf as it is.
func (Local) AllreduceFloat32([]float32) error { return nil }

// Broadcast checks that root is 0 and leaves buf as it is.
func (Local) Broadcast(_ []byte, root int) error {
	if root != 0 {
		return errors.Errorf("broadcast from rank %d in a job of one process", root)
	}
	return nil
}
