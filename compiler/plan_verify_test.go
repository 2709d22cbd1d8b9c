package compiler

import (
	"runtime"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestSecondRunAllocatesNothing checks that the run after verification
// (the first on the preallocated paths) binds nothing anew: the first run
// already bound every verified buffer, so the second allocates nothing.
func TestSecondRunAllocatesNothing(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		loss, w, x, y := kernelGraph(t, dt)
		p, err := Compile(loss, []*G.Node{w})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Bind("x", x); err != nil {
			t.Fatal(err)
		}
		if err := p.Bind("y", y); err != nil {
			t.Fatal(err)
		}
		if err := p.RunTrain(); err != nil { // verifies the preallocated paths
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		err = p.RunTrain()
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if n := after.Mallocs - before.Mallocs; n != 0 {
			t.Errorf("%v: the second run allocated %d times, want 0", dt, n)
		}
	}
}
