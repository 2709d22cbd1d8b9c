package parallel_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
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
	trainStep(t, g, s, 0, x, y)
	for r := 0; r < 2; r++ {
		alone := must(models.Build("mlpbn", models.Config{Batch: shard, Seed: seed}))
		p := must(alone.Compile())
		xs, ys := newBatch(alone, shard)
		if err := s.Fill(0, r*shard, xs, ys); err != nil {
			t.Fatal(err)
		}
		trainProgram(t, p, xs, ys)
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

// Synchronized batch norm (the default) gives one program's weights and
// running statistics (TestReplicasMatchOneProgram checks mlpbn after 12
// steps); per-replica statistics (LocalBatchNorm, DDP's default) do not:
// the check above can fail.
func TestLocalBatchNormDiffersFromOneProgram(t *testing.T) {
	const batch, seed = 8, 7
	ref := reference(t, "mlpbn", batch, seed)
	synced := replicatedWith(t, "mlpbn", batch, seed, parallel.Config{Replicas: 2})
	local := replicatedWith(t, "mlpbn", batch, seed, parallel.Config{Replicas: 2, LocalBatchNorm: true})
	if d, at := maxDiff(synced, ref); d > 1e-9 {
		t.Errorf("synchronized: differs from one program by %g at %s", d, at)
	}
	if d, at := maxDiff(local, ref); d < 1e-6 {
		t.Errorf("per-replica statistics: differ from one program by only %g (at %s)", d, at)
	}
}

// One synchronized step leaves in Params the gradient of one program on
// the whole batch (the mean over shards of the shards' gradients of the
// sum of every shard's loss), and on every replica the running statistics
// of the whole batch, counted once.
func TestSyncBatchNormStep(t *testing.T) {
	const batch, seed = 8, 5
	for _, c := range []struct {
		dt  tensor.Dtype
		r   int
		tol float64
	}{{tensor.Float64, 2, 1e-12}, {tensor.Float64, 4, 1e-12}, {tensor.Float32, 2, 1e-5}} {
		t.Run(fmt.Sprintf("%v/replicas=%d", c.dt, c.r), func(t *testing.T) {
			cfg := models.Config{Batch: batch / c.r, Seed: seed, Dtype: c.dt}
			g := must(parallel.New(func(int) (*models.Model, error) { return models.Build("mlpbn", cfg) }, parallel.Config{Replicas: c.r}))
			defer g.Close()
			if !g.SyncBatchNorm() {
				t.Fatal("mlpbn with several replicas: batch norm not synchronized")
			}
			s := must(parallel.NewStream(g.Master(), seed))
			x, y := newBatch(g.Master(), batch)
			trainStep(t, g, s, 0, x, y)
			cfg.Batch = batch
			one := must(models.Build("mlpbn", cfg))
			p := must(one.Compile())
			defer p.Close()
			trainProgram(t, p, x, y)
			if d := math.Abs(g.Loss() - p.Loss()); d > c.tol {
				t.Errorf("loss %v, one program %v", g.Loss(), p.Loss())
			}
			for i, q := range g.Params() {
				want := floats(p.Params()[i].Grad)
				for j, v := range floats(q.Grad) {
					if d := math.Abs(v - want[j]); d > c.tol {
						t.Fatalf("%s gradient [%d] = %v, one program %v", q.Name, j, v, want[j])
					}
				}
			}
			ref := state(one)
			for k := 0; k < c.r; k++ {
				got := state(g.Replica(k))
				for _, name := range []string{"bn1.running_mean", "bn1.running_var"} {
					if d, _ := maxDiff(map[string][]float64{name: got[name]}, map[string][]float64{name: ref[name]}); d > c.tol {
						t.Errorf("replica %d: %s differs from one program's by %g", k, name, d)
					}
				}
			}
			for _, e := range g.Master().StateDict() {
				if strings.HasSuffix(e.Name, "num_batches_tracked") && e.Tensor.Data().(int64) != 1 {
					t.Errorf("%s = %v after 1 step", e.Name, e.Tensor.Data())
				}
			}
		})
	}
}

// floats copies a float tensor's elements as float64s.
func floats(t *tensor.Dense) []float64 {
	if t.Dtype() == tensor.Float64 {
		return t.Float64s()
	}
	var out []float64
	for _, v := range t.Float32s() {
		out = append(out, float64(v))
	}
	return out
}

// A model without batch norm, one shard, or LocalBatchNorm: nothing is
// synchronized.
func TestSyncBatchNormOnlyWhenNeeded(t *testing.T) {
	for _, c := range []struct {
		model string
		cfg   parallel.Config
		want  bool
	}{
		{"mlpbn", parallel.Config{Replicas: 2}, true},
		{"mlpbn", parallel.Config{Replicas: 1}, false},
		{"mlpbn", parallel.Config{Replicas: 2, LocalBatchNorm: true}, false},
		{"mlp", parallel.Config{Replicas: 2}, false},
	} {
		g := must(parallel.New(func(int) (*models.Model, error) {
			return models.Build(c.model, models.Config{Batch: 2})
		}, c.cfg))
		if got := g.SyncBatchNorm(); got != c.want {
			t.Errorf("%s %+v: SyncBatchNorm %v, want %v", c.model, c.cfg, got, c.want)
		}
		g.Close()
	}
}

// A synchronized program run outside Group.RunTrain (alone, in training
// mode) fails at the first batch-norm point instead of waiting for the
// other replicas forever.
func TestSyncBatchNormOutsideRunTrain(t *testing.T) {
	g := must(parallel.New(func(int) (*models.Model, error) {
		return models.Build("mlpbn", models.Config{Batch: 2})
	}, parallel.Config{Replicas: 2}))
	defer g.Close()
	x, y := newBatch(g.Master(), 4)
	_ = g.Bind(x, y)
	err := g.Program(1).RunTrain()
	if err == nil || !strings.Contains(err.Error(), "only inside Group.RunTrain") {
		t.Fatalf("replica 1 alone: %v", err)
	}
	if err := g.RunTrain(); err != nil {
		t.Fatalf("the group's step after that: %v", err)
	}
}

// bn2d builds x [B, 2, 3, 3] -> BatchNorm2d(2) -> flatten -> Linear(18, 1),
// MSE; stats, when non-nil, replaces the layer's running statistics.
func bn2d(batch int, stats *ops.BatchNormStats) (*models.Model, *ops.BatchNormStats, error) {
	m, err := models.New("bn2d", models.Config{Batch: batch, Seed: 2}, 2, 3, 3)
	if err != nil {
		return nil, nil, err
	}
	bn, err := m.BatchNorm("bn", 2)
	if err != nil {
		return nil, nil, err
	}
	if stats != nil {
		bn.Stats = stats
	}
	fc, err := m.Linear("fc", 18, 1)
	if err != nil {
		return nil, nil, err
	}
	if err := m.Targets(tensor.Float64, 1); err != nil {
		return nil, nil, err
	}
	return m, bn.Stats, m.SetLoss(models.NewSequential(bn, &models.Flatten{}, fc), ops.MSE)
}

// BatchNorm2d (statistics over N, H and W) is synchronized too: one step of
// 2 replicas has the gradients of one program on the whole batch.
func TestSyncBatchNorm2d(t *testing.T) {
	const batch = 6
	g := must(parallel.New(func(int) (*models.Model, error) {
		m, _, err := bn2d(batch/2, nil)
		return m, err
	}, parallel.Config{Replicas: 2}))
	defer g.Close()
	one, _, err := bn2d(batch, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := must(one.Compile())
	defer p.Close()
	x, y := newBatch(one, batch)
	for i := range x.Float64s() {
		x.Float64s()[i] = math.Sin(float64(i*i) + 0.5)
	}
	for i := range y.Float64s() {
		y.Float64s()[i] = math.Cos(float64(i))
	}
	_, _ = p.Bind("x", x), p.Bind("y", y)
	if err := g.Bind(x, y); err != nil {
		t.Fatal(err)
	}
	if err := g.RunTrain(); err != nil {
		t.Fatal(err)
	}
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
	if !g.SyncBatchNorm() {
		t.Fatal("not synchronized")
	}
	for i, q := range g.Params() {
		want := p.Params()[i].Grad.Float64s()
		for j, v := range q.Grad.Float64s() {
			if d := math.Abs(v - want[j]); d > 1e-12 {
				t.Fatalf("%s gradient [%d] = %v, one program %v", q.Name, j, v, want[j])
			}
		}
	}
	if d, at := maxDiff(state(g.Replica(1)), state(one)); d > 1e-12 {
		t.Errorf("replica 1's running statistics differ from one program's by %g at %s", d, at)
	}
}

// Replicas whose batch norms share their statistics are refused.
func TestSyncBatchNormSharedStatistics(t *testing.T) {
	var first *ops.BatchNormStats
	_, err := parallel.New(func(r int) (*models.Model, error) {
		m, s, err := bn2d(2, first)
		first = s
		return m, err
	}, parallel.Config{Replicas: 2})
	if err == nil || !strings.Contains(err.Error(), "replica 0's") {
		t.Fatalf("replicas sharing a batch norm's statistics: %v", err)
	}
	if testing.Verbose() {
		t.Log(err)
	}
}
