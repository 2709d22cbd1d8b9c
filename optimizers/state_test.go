package optimizers

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// randParams returns params "fc.weight" (2×3) and "fc.bias" (3) with
// values and gradients drawn from rng, in dtype dt.
func randParams(rng *rand.Rand, dt tensor.Dtype) []Param {
	mk := func(shape ...int) *tensor.Dense {
		t := tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
		vals := make([]float64, t.Shape().TotalSize())
		for i := range vals {
			vals[i] = rng.NormFloat64()
		}
		copyFloats(t, vals)
		return t
	}
	return []Param{
		{Name: "fc.weight", Value: mk(2, 3), Grad: mk(2, 3)},
		{Name: "fc.bias", Value: mk(3), Grad: mk(3)},
	}
}

// redrawGrads gives every param a fresh gradient from rng.
func redrawGrads(rng *rand.Rand, params []Param) {
	for _, p := range params {
		vals := make([]float64, p.Grad.Shape().TotalSize())
		for i := range vals {
			vals[i] = rng.NormFloat64()
		}
		copyFloats(p.Grad, vals)
	}
}

// TestStateRoundTrip runs 4 steps, saves the state, restores it into a new
// optimizer and checks that 4 more steps give bit for bit what 8 steps
// without interruption give.
func TestStateRoundTrip(t *testing.T) {
	for _, c := range allTorch {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(c.opt+"/"+dt.String(), func(t *testing.T) {
				run := func(restore bool) []float64 {
					rng := rand.New(rand.NewPCG(1, 2))
					params := randParams(rng, dt)
					o := mustTorch(t, c.opt, c.hyper)
					for step := range 8 {
						if restore && step == 4 {
							o2 := mustTorch(t, c.opt, c.hyper)
							if err := o2.LoadState(o.State()); err != nil {
								t.Fatal(err)
							}
							o = o2
						}
						redrawGrads(rng, params)
						if err := o.Step(params); err != nil {
							t.Fatal(err)
						}
					}
					return append(floats64(params[0].Value), floats64(params[1].Value)...)
				}
				if a, b := run(false), run(true); !slices.Equal(a, b) {
					t.Errorf("restored run differs:\n%v\n%v", a, b)
				}
			})
		}
	}
}

// TestStateNames checks the keys, shapes and step values State exports.
func TestStateNames(t *testing.T) {
	o := mustTorch(t, "Adam", map[string]any{"amsgrad": true})
	params := randParams(rand.New(rand.NewPCG(3, 4)), tensor.Float64)
	for range 3 {
		if err := o.Step(params); err != nil {
			t.Fatal(err)
		}
	}
	st := o.State()
	want := []string{"fc.bias.exp_avg", "fc.bias.exp_avg_sq", "fc.bias.max_exp_avg_sq", "fc.bias.step",
		"fc.weight.exp_avg", "fc.weight.exp_avg_sq", "fc.weight.max_exp_avg_sq", "fc.weight.step"}
	if got := slices.Sorted(maps.Keys(st)); !slices.Equal(got, want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
	if s := st["fc.weight.exp_avg"].Shape(); !sameShape(s, tensor.Shape{2, 3}) {
		t.Errorf("fc.weight.exp_avg shape %v", s)
	}
	if s, v := st["fc.weight.step"].Shape(), st["fc.weight.step"].Float64s()[0]; !sameShape(s, tensor.Shape{1}) || v != 3 {
		t.Errorf("fc.weight.step: shape %v value %v, want (1) 3", s, v)
	}
	// State is a copy.
	st["fc.bias.exp_avg"].Float64s()[0] = 1e9
	if o.State()["fc.bias.exp_avg"].Float64s()[0] == 1e9 {
		t.Error("State shares memory with the optimizer")
	}
}

func TestLoadStateErrors(t *testing.T) {
	base := func() map[string]*tensor.Dense {
		o := mustTorch(t, "Adam", nil)
		if err := o.Step(randParams(rand.New(rand.NewPCG(5, 6)), tensor.Float64)); err != nil {
			t.Fatal(err)
		}
		return o.State()
	}
	tests := []struct {
		name string
		edit func(m map[string]*tensor.Dense)
		want string
	}{
		{"missing buffer", func(m map[string]*tensor.Dense) { delete(m, "fc.bias.exp_avg_sq") }, `missing key "fc.bias.exp_avg_sq"`},
		{"missing step", func(m map[string]*tensor.Dense) { delete(m, "fc.weight.step") }, `missing key "fc.weight.step"`},
		{"unknown buffer", func(m map[string]*tensor.Dense) { m["fc.bias.momentum_buffer"] = vec(1, 2, 3) }, `unknown key "fc.bias.momentum_buffer"`},
		{"no suffix", func(m map[string]*tensor.Dense) { m["bias"] = vec(1) }, `unknown key "bias"`},
		{"nil tensor", func(m map[string]*tensor.Dense) { m["fc.bias.exp_avg"] = nil }, `key "fc.bias.exp_avg" is a nil tensor`},
		{"mis-shaped", func(m map[string]*tensor.Dense) { m["fc.weight.exp_avg_sq"] = vec(1, 2, 3) },
			`key "fc.weight.exp_avg_sq" has shape (3), want (2, 3)`},
		{"mixed dtypes", func(m map[string]*tensor.Dense) { m["fc.bias.exp_avg_sq"] = vec32(1, 2, 3) }, `key "fc.bias.exp_avg_sq" has dtype float32`},
		{"int buffer", func(m map[string]*tensor.Dense) {
			m["fc.bias.exp_avg"] = tensor.New(tensor.WithShape(3), tensor.WithBacking([]int{1, 2, 3}))
		}, `key "fc.bias.exp_avg" has dtype int`},
		{"fractional step", func(m map[string]*tensor.Dense) { m["fc.bias.step"] = vec(1.5) }, `key "fc.bias.step" is 1.5`},
		{"negative step", func(m map[string]*tensor.Dense) { m["fc.bias.step"] = vec(-1) }, `key "fc.bias.step" is -1`},
		{"long step", func(m map[string]*tensor.Dense) { m["fc.bias.step"] = vec(1, 2) }, `key "fc.bias.step" has shape (2)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := mustTorch(t, "Adam", nil)
			good := base()
			if err := o.LoadState(good); err != nil {
				t.Fatal(err)
			}
			bad := base()
			tc.edit(bad)
			err := o.LoadState(bad)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if got := o.State(); len(got) != len(good) {
				t.Errorf("failed LoadState changed the state (%d keys, want %d)", len(got), len(good))
			}
		})
	}
}

// TestLoadStateChecksKnownShape checks that a state whose shape differs
// from the param's, as the optimizer saw it, is refused at LoadState, and
// one loaded into a fresh optimizer is refused at the next Step.
func TestLoadStateChecksKnownShape(t *testing.T) {
	o := mustTorch(t, "SGD", map[string]any{"lr": 0.1, "momentum": 0.9})
	p := Param{Name: "w", Value: vec(1, 2), Grad: vec(1, 1)}
	if err := o.Step([]Param{p}); err != nil {
		t.Fatal(err)
	}
	st := map[string]*tensor.Dense{"w.step": vec(1), "w.momentum_buffer": vec(1, 2, 3)}
	err := o.LoadState(st)
	if want := `key "w.momentum_buffer" has shape (3), want (2) (the shape of param "w")`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want an error containing %q", err, want)
	}
	fresh := mustTorch(t, "SGD", map[string]any{"lr": 0.1, "momentum": 0.9})
	if err := fresh.LoadState(st); err != nil {
		t.Fatal(err)
	}
	err = fresh.Step([]Param{p})
	if want := `state "w.momentum_buffer" has shape (3), value has shape (2)`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want an error containing %q", err, want)
	}
}

// TestLoadStateCastsDtype loads float64 state for a float32 param, with a
// 0-d int64 step, as a PyTorch checkpoint might hold it.
func TestLoadStateCastsDtype(t *testing.T) {
	o := mustTorch(t, "Adagrad", map[string]any{"lr": 0.5})
	err := o.LoadState(map[string]*tensor.Dense{
		"w.step": tensor.New(tensor.FromScalar(int64(1))),
		"w.sum":  vec(0.25, 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	p := Param{Name: "w", Value: vec32(1, 1), Grad: vec32(0, 0)}
	if err := o.Step([]Param{p}); err != nil {
		t.Fatal(err)
	}
	st := o.State()
	if dt := st["w.sum"].Dtype(); dt != tensor.Float32 {
		t.Errorf("sum dtype %v, want float32", dt)
	}
	if got := st["w.step"].Float64s()[0]; got != 2 {
		t.Errorf("step %v, want 2", got)
	}
}
