package parallel_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/parallel"
)

// Batch norm keeps per-replica statistics (DDP): after one step, the
// master's running statistics are exactly those of one program on the
// first shard alone, replica 1's those of its own shard; before the next
// step every replica takes the master's (DDP's broadcast_buffers), and the
// step counter counts steps.
func TestBatchNormStatisticsPerReplica(t *testing.T) {
	const shard, seed = 4, 5
	build := func(int) (*models.Model, error) {
		return models.Build("mlpbn", models.Config{Batch: shard, Seed: seed})
	}
	g, err := parallel.New(build, parallel.Config{Replicas: 2, LocalBatchNorm: true})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	s, err := parallel.NewStream(g.Master(), seed)
	if err != nil {
		t.Fatal(err)
	}
	x, y := newBatch(g.Master(), 2*shard)
	if err := s.Fill(0, 0, x, y); err != nil {
		t.Fatal(err)
	}
	if err := g.Bind(x, y); err != nil {
		t.Fatal(err)
	}
	if err := g.RunTrain(); err != nil {
		t.Fatal(err)
	}
	for r := 0; r < 2; r++ {
		alone := must(models.Build("mlpbn", models.Config{Batch: shard, Seed: seed}))
		p := must(alone.Compile())
		xs, ys := newBatch(alone, shard)
		if err := s.Fill(0, r*shard, xs, ys); err != nil {
			t.Fatal(err)
		}
		_ = p.Bind("x", xs)
		_ = p.Bind("y", ys)
		if err := p.RunTrain(); err != nil {
			t.Fatal(err)
		}
		if got, want := runningMean(g.Replica(r)), runningMean(alone); !slices.Equal(got, want) {
			t.Errorf("replica %d: running mean differs from its shard's alone", r)
		}
		p.Close()
	}
	if slices.Equal(runningMean(g.Replica(0)), runningMean(g.Replica(1))) {
		t.Fatal("both replicas have the same statistics: the test proves nothing")
	}
	if err := g.RunTrain(); err != nil {
		t.Fatal(err)
	}
	for _, e := range g.Master().StateDict() {
		if strings.HasSuffix(e.Name, "num_batches_tracked") && e.Tensor.Data().(int64) != 2 {
			t.Errorf("%s = %v after 2 steps", e.Name, e.Tensor.Data())
		}
	}
}

func runningMean(m *models.Model) []float64 {
	for _, e := range m.StateDict() {
		if strings.HasSuffix(e.Name, "running_mean") {
			return slices.Clone(e.Tensor.Float64s())
		}
	}
	return nil
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// New and Bind refuse what cannot work, naming it.
func TestErrors(t *testing.T) {
	shared := must(models.Build("simplenet", models.Config{Batch: 2}))
	for _, c := range []struct {
		name  string
		build parallel.BuildFunc
		r     int
		want  string
	}{
		{"shared graph", func(int) (*models.Model, error) { return shared, nil }, 2, "share a graph"},
		{"different models", func(r int) (*models.Model, error) {
			return models.Build([]string{"simplenet", "binary"}[r], models.Config{Batch: 2})
		}, 2, "state tensor"},
		{"negative", nil, -1, "-1 replicas"},
	} {
		_, err := parallel.New(c.build, parallel.Config{Replicas: c.r})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	g := must(parallel.New(func(int) (*models.Model, error) { return models.Build("simplenet", models.Config{Batch: 2}) }, parallel.Config{Replicas: 2}))
	defer g.Close()
	x, y := newBatch(g.Master(), 3)
	if err := g.Bind(x, y); err == nil || !strings.Contains(err.Error(), `bind "x"`) {
		t.Errorf("binding 3 rows to 2 replicas of 2: %v", err)
	}
}
