package optimizers

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// TestStepDoesNotAllocate checks that every optimizer, in both dtypes,
// allocates nothing per Step once its state exists, and neither do the
// clipping functions.
func TestStepDoesNotAllocate(t *testing.T) {
	for i, c := range allTorch {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%d_%s/%v", i, c.opt, dt), func(t *testing.T) {
				o := mustTorch(t, c.opt, c.hyper)
				params := randParams(rand.New(rand.NewPCG(7, 8)), dt)
				if err := o.Step(params); err != nil {
					t.Fatal(err)
				}
				allocs := testing.AllocsPerRun(20, func() {
					if err := o.Step(params); err != nil {
						t.Fatal(err)
					}
				})
				if allocs != 0 {
					t.Errorf("%v allocations per Step, want 0", allocs)
				}
			})
		}
	}
	params := randParams(rand.New(rand.NewPCG(9, 10)), tensor.Float32)
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := ClipGradNorm(params, 1, 2, true); err != nil {
			t.Fatal(err)
		}
		if err := ClipGradValue(params, 0.5); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("clipping: %v allocations, want 0", allocs)
	}
}
