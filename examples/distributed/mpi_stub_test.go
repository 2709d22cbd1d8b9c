//go:build !mpi

package main

import "testing"

// TestMPI says where the MPI tests are: they need the mpi build tag.
func TestMPI(t *testing.T) {
	t.Skip("built without -tags mpi: the MPI tests (2 ranks x 1 and 2 replicas, a killed rank) run with go test -tags mpi ./examples/distributed/ (OpenMPI: apt-get install openmpi-bin libopenmpi-dev)")
}
