package parallel

import (
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/models"
)

// countingComm is a Comm of two ranks whose allreduce doubles the buffer
// (as if the other rank held the same values), counting the calls.
type countingComm struct{ calls int }

func (c *countingComm) Rank() int { return 0 }
func (c *countingComm) Size() int { return 2 }
func (c *countingComm) AllreduceFloat64(b []float64) error {
	c.calls++
	for i := range b {
		b[i] *= 2
	}
	return nil
}
func (c *countingComm) AllreduceFloat32(b []float32) error {
	c.calls++
	for i := range b {
		b[i] *= 2
	}
	return nil
}
func (c *countingComm) Broadcast([]byte, int) error { return nil }

func newTestGroup(t *testing.T, name string, dt tensor.Dtype, r int, comm Comm) *Group {
	t.Helper()
	g, err := New(func(int) (*models.Model, error) {
		return models.Build(name, models.Config{Batch: 2, Seed: 3, Dtype: dt})
	}, Config{Replicas: r, Comm: comm})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

// The reduction, the allreduce and the phases around them allocate nothing
// per step (float64 and float32), and the step makes exactly one allreduce.
func TestAllreducePathAllocatesNothing(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		c := &countingComm{}
		g := newTestGroup(t, "mlp", dt, 2, c)
		if err := g.RunTrain(); err != nil {
			t.Fatal(err)
		}
		if c.calls != 1 {
			t.Fatalf("%v: %d allreduce calls in one step, want 1", dt, c.calls)
		}
		allocs := testing.AllocsPerRun(20, func() {
			if err := g.pool.run(phaseSync); err != nil {
				t.Fatal(err)
			}
			if err := g.pool.run(phaseReduce); err != nil {
				t.Fatal(err)
			}
			if err := g.allreduce(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v: the sync, reduce and allreduce phases allocate %v times per step", dt, allocs)
		}
	}
}

// A step of R replicas allocates no more than the R programs do on their
// own: the group, its synchronized batch norms included, adds nothing per
// step. (The programs alone are measured in a group with per-replica batch
// norm: a synchronized program cannot run alone.)
func TestStepAddsNoAllocations(t *testing.T) {
	g := newTestGroup(t, "mlpbn", tensor.Float64, 2, nil)
	if !g.SyncBatchNorm() {
		t.Fatal("mlpbn with 2 replicas: batch norm not synchronized")
	}
	alone := programsAlone(t, "mlpbn", 2)
	together := stepAllocs(t, g)
	t.Logf("allocations per step: programs alone %v, group %v", alone, together)
	if together > alone {
		t.Errorf("a group step allocates %v times, its programs alone %v", together, alone)
	}
}

// programsAlone is the allocations of one training run of each of r
// replicas' programs on its own.
func programsAlone(t *testing.T, name string, r int) float64 {
	g, err := New(func(int) (*models.Model, error) {
		return models.Build(name, models.Config{Batch: 2, Seed: 3})
	}, Config{Replicas: r, LocalBatchNorm: true})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	alone := 0.0
	for k := 0; k < g.Replicas(); k++ {
		p := g.Program(k)
		if err := p.RunTrain(); err != nil {
			t.Fatal(err)
		}
		alone += testing.AllocsPerRun(10, func() {
			if err := p.RunTrain(); err != nil {
				t.Fatal(err)
			}
		})
	}
	return alone
}

// stepAllocs is the allocations of one Bind and RunTrain of g.
func stepAllocs(t *testing.T, g *Group) float64 {
	if err := g.RunTrain(); err != nil {
		t.Fatal(err)
	}
	x, y := g.Replica(0).SampleBatch(1)
	b := g.LocalBatch()
	xs := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(b, x.Shape()[1]))
	ys := tensor.New(tensor.Of(y.Dtype()), tensor.WithShape(b, y.Shape()[1]))
	return testing.AllocsPerRun(10, func() {
		if err := g.Bind(xs, ys); err != nil {
			t.Fatal(err)
		}
		if err := g.RunTrain(); err != nil {
			t.Fatal(err)
		}
	})
}
