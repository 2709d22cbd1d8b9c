//go:build mpi

package mpi_test

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symgrad/symgrad/parallel/mpi"
)

// childEnv makes the test binary an MPI rank running the collectives
// check; benchEnv one timing allreduce (bench/distributed.sh runs it as
// mpirun -np P -x SYMGRAD_MPI_ALLREDUCE_BENCH=1 ./mpi.test).
const (
	childEnv = "SYMGRAD_MPI_TEST_CHILD"
	benchEnv = "SYMGRAD_MPI_ALLREDUCE_BENCH"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(asRank(child))
	}
	if os.Getenv(benchEnv) != "" {
		os.Exit(asRank(benchAllreduce))
	}
	os.Exit(m.Run())
}

// asRank runs f as this process's MPI rank, between Init and Finalize,
// and returns its exit status.
func asRank(f func(w *mpi.World) int) int {
	w, err := mpi.Init()
	if err != nil {
		fmt.Println(err)
		return 1
	}
	defer w.Finalize()
	return f(w)
}

// benchAllreduce times float64 allreduces of 1e3 to 1e7 elements (the
// median of repeated calls); rank 0 prints one line per size.
func benchAllreduce(w *mpi.World) int {
	if w.Rank() == 0 {
		fmt.Printf("allreduce over %d ranks (float64, MPI_SUM, in place)\n%12s %12s %12s\n", w.Size(), "elements", "bytes", "time")
	}
	for _, n := range []int{1e3, 1e4, 1e5, 1e6, 1e7} {
		buf := make([]float64, n)
		reps := max(5, min(200, 2e7/n))
		times := make([]time.Duration, reps)
		for i := range times {
			_ = w.Barrier()
			start := time.Now()
			if err := w.AllreduceFloat64(buf); err != nil {
				fmt.Println(err)
				return 1
			}
			times[i] = time.Since(start)
		}
		slices.Sort(times)
		if w.Rank() == 0 {
			fmt.Printf("%12d %12d %12v\n", n, 8*n, times[len(times)/2])
		}
	}
	return 0
}

// TestCollectives runs this binary as 2 ranks under mpirun: rank and size,
// allreduce sums of float64 and float32, a broadcast, no allocation per
// allreduce, and an error for a broadcast from a rank that does not exist.
func TestCollectives(t *testing.T) {
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		t.Fatal("mpirun not found on PATH: built with -tags mpi, this test needs OpenMPI (apt-get install openmpi-bin libopenmpi-dev)")
	}
	args := []string{"--bind-to", "none", "--oversubscribe", "-np", "2", "-x", childEnv, os.Args[0]}
	if os.Geteuid() == 0 {
		args = append([]string{"--allow-run-as-root"}, args...)
	}
	cmd := exec.Command(mpirun, args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mpirun: %v\n%s", err, out)
	}
	for r := 0; r < 2; r++ {
		if want := fmt.Sprintf("rank %d of 2: ok", r); !strings.Contains(string(out), want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

// child is one rank of TestCollectives; it returns its exit status.
func child(w *mpi.World) int {
	if err := checkCollectives(w); err != nil {
		fmt.Printf("rank %d of %d: %v\n", w.Rank(), w.Size(), err)
		w.Abort(1)
	}
	fmt.Printf("rank %d of %d: ok\n", w.Rank(), w.Size())
	return 0
}

func checkCollectives(w *mpi.World) error {
	if w.Size() != 2 {
		return fmt.Errorf("size %d, want 2", w.Size())
	}
	r := float64(w.Rank())
	f64 := []float64{r + 1, 10 * (r + 1), 0.5}
	if err := w.AllreduceFloat64(f64); err != nil {
		return err
	}
	if f64[0] != 3 || f64[1] != 30 || f64[2] != 1 {
		return fmt.Errorf("float64 allreduce gave %v, want [3 30 1]", f64)
	}
	f32 := []float32{float32(r) + 1, 0.25}
	if err := w.AllreduceFloat32(f32); err != nil {
		return err
	}
	if f32[0] != 3 || f32[1] != 0.5 {
		return fmt.Errorf("float32 allreduce gave %v, want [3 0.5]", f32)
	}
	b := []byte("....")
	if w.Rank() == 0 {
		copy(b, "root")
	}
	if err := w.Broadcast(b, 0); err != nil {
		return err
	}
	if string(b) != "root" {
		return fmt.Errorf("broadcast gave %q", b)
	}
	big := make([]float64, 1<<16)
	allocs := testing.AllocsPerRun(50, func() {
		if err := w.AllreduceFloat64(big); err != nil {
			panic(err)
		}
	})
	if allocs != 0 {
		return fmt.Errorf("an allreduce of %d float64 allocates %v times", len(big), allocs)
	}
	if err := w.Broadcast(b, 2); err == nil {
		return fmt.Errorf("broadcast from rank 2 of 2: no error")
	}
	return w.Barrier()
}
