package optimizers

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// torchCase is one PyTorch trajectory (see testdata/torch and
// /work/shared/fixtures/README.md).
type torchCase struct {
	Name           string         `json:"name"`
	TorchOptimizer string         `json:"torch_optimizer"`
	Hyper          map[string]any `json:"hyperparameters"`
	P0             []float64      `json:"p0"`
	Grads          [][]float64    `json:"grads"`
	After          [][]float64    `json:"params_after_each_step"`
	TorchVersion   string         `json:"torch_version"`
}

var torchCaseFields = []string{"name", "torch_optimizer", "hyperparameters", "p0", "grads", "params_after_each_step", "torch_version"}

// torchFixtureDir is testdata/torch unless SYMGRAD_OPTIM_FIXTURES names
// another folder.
func torchFixtureDir() string {
	if dir := os.Getenv("SYMGRAD_OPTIM_FIXTURES"); dir != "" {
		return dir
	}
	return filepath.Join("testdata", "torch")
}

func loadTorchCases(t *testing.T, dir string) map[string]torchCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no *.json fixtures in %s: nothing to compare with PyTorch", dir)
	}
	cases := map[string]torchCase{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c torchCase
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(raw, &fields)
		for k := range fields {
			if !slices.Contains(torchCaseFields, k) {
				t.Logf("%s: field %q ignored", f, k)
			}
		}
		if len(c.P0) == 0 || len(c.Grads) == 0 || len(c.Grads) != len(c.After) {
			t.Fatalf("%s: want p0, and as many grads as params_after_each_step (%d, %d)", f, len(c.Grads), len(c.After))
		}
		cases[filepath.Base(f)] = c
	}
	return cases
}

// closeRel reports whether got is within rel of want, relative to |want|
// with an absolute floor of rel·1e-8 for values at or near zero.
func closeRel(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-8)
}

// TestTorchFixtures replays every PyTorch trajectory in the fixture folder
// through FromTorch and compares each step's parameters to 1e-12 relative.
func TestTorchFixtures(t *testing.T) {
	for file, c := range loadTorchCases(t, torchFixtureDir()) {
		t.Run(file, func(t *testing.T) {
			opt, err := FromTorch(c.TorchOptimizer, c.Hyper)
			if err != nil {
				t.Fatalf("FromTorch(%q, %v): %v", c.TorchOptimizer, c.Hyper, err)
			}
			n := len(c.P0)
			value := tensor.New(tensor.WithShape(n), tensor.WithBacking(append([]float64(nil), c.P0...)))
			grad := tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float64))
			params := []Param{{Name: "p", Value: value, Grad: grad}}
			worst := 0.0
			for step, g := range c.Grads {
				params[0].Grad = grad
				if g == nil {
					params[0].Grad = nil // p.grad = None: PyTorch skips the param
				} else if len(g) != n {
					t.Fatalf("step %d: %d grads for %d values", step+1, len(g), n)
				}
				if len(c.After[step]) != n {
					t.Fatalf("step %d: %d params after, want %d", step+1, len(c.After[step]), n)
				}
				copy(grad.Float64s(), g)
				if err := opt.Step(params); err != nil {
					t.Fatalf("step %d: %v", step+1, err)
				}
				for i, got := range value.Float64s() {
					want := c.After[step][i]
					if !closeRel(got, want, 1e-12) {
						t.Fatalf("step %d, element %d: got %.17g, PyTorch %.17g (rel diff %.3g)",
							step+1, i, got, want, math.Abs(got-want)/math.Abs(want))
					}
					if want != 0 {
						worst = math.Max(worst, math.Abs(got-want)/math.Abs(want))
					}
				}
			}
			t.Logf("%s %v: %d steps, worst relative difference %.3g", c.TorchOptimizer, c.Hyper, len(c.Grads), worst)
		})
	}
}

// TestFloat32FollowsFloat64 replays the trajectories of testdata/torch on
// float32 tensors: they must follow PyTorch's float64 ones to float32
// accuracy (1e-5 relative to max(|θ|, 1)).
func TestFloat32FollowsFloat64(t *testing.T) {
	for file, c := range loadTorchCases(t, filepath.Join("testdata", "torch")) {
		t.Run(file, func(t *testing.T) {
			opt := mustTorch(t, c.TorchOptimizer, c.Hyper)
			p := Param{Name: "p", Value: vec32(c.P0...), Grad: vec32(c.P0...)}
			worst := 0.0
			for step, g := range c.Grads {
				copyFloats(p.Grad, g)
				if err := opt.Step([]Param{p}); err != nil {
					t.Fatalf("step %d: %v", step+1, err)
				}
				for i, got := range floats64(p.Value) {
					want := c.After[step][i]
					d := math.Abs(got-want) / math.Max(math.Abs(want), 1)
					worst = math.Max(worst, d)
					if d > 1e-5 {
						t.Fatalf("step %d, element %d: float32 %.9g, PyTorch float64 %.17g", step+1, i, got, want)
					}
				}
			}
			t.Logf("worst relative difference %.3g", worst)
		})
	}
}
