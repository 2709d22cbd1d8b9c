package parallel

import (
	"strings"
	"testing"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

func vec(v ...float64) *tensor.Dense { return tensor.New(tensor.WithBacking(v)) }

// averageAll runs Average of point at on every replica at once and returns
// each replica's error.
func averageAll(h *bnHub, at ops.SyncPoint, vs []*tensor.Dense) []error {
	errs := make([]error, len(vs))
	done := make(chan int)
	for r := range vs {
		go func() { errs[r] = h.average(r, 0, at, vs[r]); done <- r }()
	}
	for range vs {
		<-done
	}
	return errs
}

// The hub averages over replicas and ranks (the counting comm doubles the
// sum, as if a second rank held the same values): (1+3)·2/(2·2) = 2.
func TestHubAverages(t *testing.T) {
	h := newBNHub(&countingComm{}, 2, 3)
	h.begin()
	vs := []*tensor.Dense{vec(1, 2, 3), vec(3, 4, 5)}
	for i, err := range averageAll(h, ops.SyncMean, vs) {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
	for r, v := range vs {
		if got := v.Float64s(); got[0] != 2 || got[1] != 3 || got[2] != 4 {
			t.Errorf("replica %d: %v, want [2 3 4]", r, got)
		}
	}
}

// A replica that fails releases the others waiting at a point, with its
// error; the next step starts afresh.
func TestHubFailureReleasesTheOthers(t *testing.T) {
	h := newBNHub(Local{}, 3, 2)
	h.begin()
	errs := make(chan error, 2)
	for r := 0; r < 2; r++ {
		go func() { errs <- h.average(r, 0, ops.SyncVar, vec(1, 2)) }()
	}
	time.Sleep(10 * time.Millisecond)
	h.fail(2, errors.New("boom"))
	for i := 0; i < 2; i++ {
		select {
		case err := <-errs:
			if err == nil || !strings.Contains(err.Error(), "replica 2 failed: boom") {
				t.Errorf("error %v, want replica 2's", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a replica still waits after another failed")
		}
	}
	h.end()
	h.begin()
	for i, err := range averageAll(h, ops.SyncVar, []*tensor.Dense{vec(1, 2), vec(1, 2), vec(1, 2)}) {
		if err != nil {
			t.Errorf("next step, replica %d: %v", i, err)
		}
	}
}

// Replicas at different points (programs that differ) are an error, not a
// silent mix.
func TestHubMismatchedPoints(t *testing.T) {
	h := newBNHub(Local{}, 2, 2)
	h.begin()
	errs := make([]error, 2)
	done := make(chan bool)
	go func() { errs[1] = h.average(1, 0, ops.SyncVarGrad, vec(1, 2)); done <- true }()
	errs[0] = h.average(0, 0, ops.SyncMean, vec(1, 2))
	<-done
	for r, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "the replicas differ") {
			t.Errorf("replica %d: %v", r, err)
		}
	}
}

// A point allocates nothing (one replica, two ranks: no goroutine needed).
func TestHubAllocatesNothing(t *testing.T) {
	c := &countingComm{}
	h := newBNHub(c, 1, 64)
	h.begin()
	v := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(64))
	allocs := testing.AllocsPerRun(100, func() {
		if err := h.average(0, 0, ops.SyncMean, v); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 || c.calls == 0 {
		t.Errorf("%v allocations per point, %d allreduces", allocs, c.calls)
	}
}

// A whole synchronized step of mlpbn over two (counting) ranks allocates
// no more than its programs do alone, and makes 1 + 4 allreduces (the
// gradients; the layer's two statistics and their two gradients).
func TestSyncStepOverRanksAllocatesNothing(t *testing.T) {
	c := &countingComm{}
	g := newTestGroup(t, "mlpbn", tensor.Float64, 2, c)
	if !g.SyncBatchNorm() {
		t.Fatal("not synchronized")
	}
	if err := g.RunTrain(); err != nil {
		t.Fatal(err)
	}
	if c.calls != 5 {
		t.Errorf("%d allreduces in one step, want 5", c.calls)
	}
	alone, together := programsAlone(t, "mlpbn", 2), stepAllocs(t, g)
	t.Logf("allocations per step over 2 ranks: programs alone %v, group %v", alone, together)
	if together > alone {
		t.Errorf("a synchronized step allocates %v times, its programs alone %v", together, alone)
	}
}
