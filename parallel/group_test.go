package parallel_test

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/parallel"
)

// steps is the number of Adam steps the equivalence tests take.
const steps = 12

// newBatch allocates a batch of b samples for m's inputs.
func newBatch(m *models.Model, b int) (x, y *tensor.Dense) {
	xs, ys := m.X.Shape().Clone(), m.Y.Shape().Clone()
	xs[0], ys[0] = b, b
	return tensor.New(tensor.Of(m.X.Dtype()), tensor.WithShape(xs...)), tensor.New(tensor.Of(m.Y.Dtype()), tensor.WithShape(ys...))
}

// trainStep fills x and y with the rows of step from s and runs g's
// training step on them.
func trainStep(t testing.TB, g *parallel.Group, s *parallel.Stream, step int, x, y *tensor.Dense) {
	t.Helper()
	if err := s.Fill(step, 0, x, y); err != nil {
		t.Fatal(err)
	}
	if err := g.Bind(x, y); err != nil {
		t.Fatal(err)
	}
	if err := g.RunTrain(); err != nil {
		t.Fatal(err)
	}
}

// trainProgram binds x and y to p and runs its training step: one program
// on a batch, what a group's step is compared with.
func trainProgram(t testing.TB, p *compiler.Program, x, y *tensor.Dense) {
	t.Helper()
	if err := p.Bind("x", x); err != nil {
		t.Fatal(err)
	}
	if err := p.Bind("y", y); err != nil {
		t.Fatal(err)
	}
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
}

// reference trains model name on the whole batch in one program, without
// package parallel, and returns its state.
func reference(t testing.TB, name string, batch int, seed uint64) map[string][]float64 {
	m := must(models.Build(name, models.Config{Batch: batch, Seed: seed}))
	p := must(m.Compile())
	defer p.Close()
	s := must(parallel.NewStream(m, seed))
	opt, _ := optimizers.NewAdam(optimizers.AdamConfig{LR: 1e-3})
	ps := optimizers.ParamsOf(p)
	x, y := newBatch(m, batch)
	for step := 0; step < steps; step++ {
		if err := s.Fill(step, 0, x, y); err != nil {
			t.Fatal(err)
		}
		trainProgram(t, p, x, y)
		if err := opt.Step(ps); err != nil {
			t.Fatal(err)
		}
	}
	return state(m)
}

// replicated trains model name with r replicas of batch/r samples each.
func replicated(t testing.TB, name string, batch, r int, seed uint64) map[string][]float64 {
	return replicatedWith(t, name, batch, seed, parallel.Config{Replicas: r})
}

// replicatedWith is replicated with the group configuration cfg.
func replicatedWith(t testing.TB, name string, batch int, seed uint64, cfg parallel.Config) map[string][]float64 {
	r := max(cfg.Replicas, 1)
	build := func(int) (*models.Model, error) {
		return models.Build(name, models.Config{Batch: batch / r, Seed: seed})
	}
	g, err := parallel.New(build, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	opt, _ := optimizers.NewAdam(optimizers.AdamConfig{LR: 1e-3})
	if err := g.Broadcast(opt); err != nil {
		t.Fatal(err)
	}
	s, err := parallel.NewStream(g.Master(), seed)
	if err != nil {
		t.Fatal(err)
	}
	x, y := newBatch(g.Master(), g.LocalBatch())
	for step := 0; step < steps; step++ {
		trainStep(t, g, s, step, x, y)
		if err := opt.Step(g.Params()); err != nil {
			t.Fatal(err)
		}
	}
	return state(g.Master())
}

// state copies m's float state as float64s.
func state(m *models.Model) map[string][]float64 {
	out := map[string][]float64{}
	for _, e := range m.StateDict() {
		switch e.Tensor.Dtype() {
		case tensor.Float64:
			out[e.Name] = append([]float64(nil), e.Tensor.Float64s()...)
		case tensor.Float32:
			for _, v := range e.Tensor.Float32s() {
				out[e.Name] = append(out[e.Name], float64(v))
			}
		}
	}
	return out
}

// maxDiff is the largest absolute difference between two states (+Inf if
// their names or sizes differ).
func maxDiff(a, b map[string][]float64) (float64, string) {
	worst, at := 0.0, ""
	if len(a) != len(b) {
		return math.Inf(1), "number of tensors"
	}
	for k, va := range a {
		vb := b[k]
		if len(va) != len(vb) {
			return math.Inf(1), k
		}
		for i := range va {
			if d := math.Abs(va[i] - vb[i]); d > worst || math.IsNaN(d) {
				worst, at = d, fmt.Sprintf("%s[%d]", k, i)
			}
		}
	}
	return worst, at
}

// TestReplicasMatchOneProgram: 1, 2 and 4 replicas give the weights of one
// program on the whole batch to 1e-9 after 12 Adam steps, and the same
// weights bit for bit when run again (mlpbn: with synchronized batch
// norm).
func TestReplicasMatchOneProgram(t *testing.T) {
	for _, name := range []string{"mlp", "lstm", "mlpbn"} {
		const batch, seed = 8, 7
		ref := reference(t, name, batch, seed)
		for _, r := range []int{1, 2, 4} {
			t.Run(fmt.Sprintf("%s/replicas=%d", name, r), func(t *testing.T) {
				got := replicated(t, name, batch, r, seed)
				d, at := maxDiff(got, ref)
				t.Logf("max difference from one program: %g (at %s)", d, at)
				if d > 1e-9 {
					t.Fatalf("weights differ from one program by %g at %s", d, at)
				}
				again := replicated(t, name, batch, r, seed)
				if d, at := maxDiff(got, again); d != 0 {
					t.Fatalf("a second run differs by %g at %s: not deterministic", d, at)
				}
				moved, _ := maxDiff(got, replicated0(t, name, batch, seed))
				if moved == 0 {
					t.Fatal("training did not change the weights: the comparison proves nothing")
				}
			})
		}
	}
}

// replicated0 is the untrained state.
func replicated0(t testing.TB, name string, batch int, seed uint64) map[string][]float64 {
	m, err := models.Build(name, models.Config{Batch: batch, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return state(m)
}
