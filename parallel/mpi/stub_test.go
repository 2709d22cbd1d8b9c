//go:build !mpi

package mpi_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/symgrad/symgrad/parallel/mpi"
)

// Without the mpi tag the world is one process whose collectives do
// nothing; the MPI tests need -tags mpi.
func TestStubIsOneProcess(t *testing.T) {
	w, err := mpi.Init()
	if err != nil {
		t.Fatal(err)
	}
	if w.Rank() != 0 || w.Size() != 1 || mpi.Built {
		t.Fatalf("rank %d of %d, built with MPI %v", w.Rank(), w.Size(), mpi.Built)
	}
	buf := []float64{1, 2}
	if err := w.AllreduceFloat64(buf); err != nil || buf[0] != 1 || buf[1] != 2 {
		t.Fatalf("allreduce over one rank: %v %v", buf, err)
	}
	if err := w.Broadcast([]byte{1}, 1); err == nil {
		t.Error("broadcast from rank 1 of 1: no error")
	}
	if err := w.Finalize(); err != nil {
		t.Fatal(err)
	}
	t.Log("the MPI tests (2 ranks under mpirun) run with go test -tags mpi ./parallel/mpi/")
}

// Started by mpirun as one of several ranks, a binary built without MPI
// refuses to run alone (every copy would write the same files).
func TestStubRefusesSeveralRanks(t *testing.T) {
	if os.Getenv("OMPI_COMM_WORLD_SIZE") != "" {
		t.Skip("inside the child run")
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestStubIsOneProcess$")
	cmd.Env = append(os.Environ(), "OMPI_COMM_WORLD_SIZE=2")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "built without -tags mpi") {
		t.Fatalf("as rank of 2: %v\n%s", err, out)
	}
}
