package models

import (
	"runtime"
	"testing"

	"gorgonia.org/tensor"
)

// allocWarmup is how many steps run before allocations are counted: the
// first verifies the preallocated paths and creates the optimizer's state
// (testing.AllocsPerRun runs one more step as its own warm-up).
const allocWarmup = 1

// allocSkip lists the zoo models whose steady-state step still allocates,
// with the reason; TestTrainStepAllocs skips them (and logs the count).
var allocSkip = map[string]string{}

// TestTrainStepAllocs checks that one steady-state training step (bind x
// and y, RunTrain, the optimizer step) of every zoo model, at its
// BenchmarkTrainStep batch size, allocates nothing on the heap, in float64
// and float32.
func TestTrainStepAllocs(t *testing.T) {
	for _, name := range Names() {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(name+"/"+dt.String(), func(t *testing.T) {
				n, err := trainStepAllocs(t, name, dt)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s %v: %v allocs/step", name, dt, n)
				if reason, ok := allocSkip[name]; ok && n > 0 {
					t.Skipf("%s allocates %v per step: %s", name, n, reason)
				}
				if n != 0 {
					t.Errorf("%s %v: %v heap allocations per steady-state step, want 0", name, dt, n)
				}
			})
		}
	}
}

// trainStepAllocs builds and compiles the zoo model name, warms it up and
// returns testing.AllocsPerRun of one full training step.
func trainStepAllocs(t *testing.T, name string, dt tensor.Dtype) (float64, error) {
	step := trainStep(t, name, dt)
	var stepErr error
	run := func() {
		if stepErr == nil {
			stepErr = step()
		}
	}
	for range allocWarmup {
		run()
	}
	// AllocsPerRun counts the whole process's allocations: a collection or
	// a cleanup running on another goroutine (a finished test's tensors)
	// can land in one measurement. A step's own allocations show in every
	// measurement, so the least of three is the step's.
	runtime.GC()
	n := testing.AllocsPerRun(5, run)
	for range 2 {
		n = min(n, testing.AllocsPerRun(5, run))
	}
	return n, stepErr
}
