package exec

import (
	"testing"

	"gorgonia.org/tensor"
)

// TestSecondRunAllocatesNothing checks that the runs after verification
// (the first on the preallocated paths) bind nothing anew: the first run
// already bound every verified buffer, so later runs allocate nothing.
//
// It averages over runs (testing.AllocsPerRun, whose warm-up call is the
// second run) rather than counting one run: the Go runtime grows a type
// assertion's cache at random (on ~1 miss in 1024), and sync.Pools that
// Gorgonia borrows shapes from refill after a collection, so a single
// run's count is 1 now and then with nothing wrong in the plan.
func TestSecondRunAllocatesNothing(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		loss, grad := kernelGraph(t, dt)
		r, _, _ := newRunner(t, loss, grad, false)
		if err := r.Run(Training); err != nil { // verifies the preallocated paths
			t.Fatal(err)
		}
		var runErr error
		n := testing.AllocsPerRun(50, func() {
			if err := r.Run(Training); err != nil {
				runErr = err
			}
		})
		if runErr != nil {
			t.Fatal(runErr)
		}
		if n != 0 {
			t.Errorf("%v: a run after verification allocated %v times, want 0", dt, n)
		}
	}
}
