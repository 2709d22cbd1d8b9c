package optimizers

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// allTorch is one FromTorch setting per state layout, used by the tests
// that must cover every optimizer.
var allTorch = []struct {
	opt   string
	hyper map[string]any
}{
	{"SGD", map[string]any{"lr": 0.1}},
	{"SGD", map[string]any{"lr": 0.1, "momentum": 0.9, "nesterov": true}},
	{"Adagrad", map[string]any{"lr_decay": 0.01}},
	{"RMSprop", map[string]any{}},
	{"RMSprop", map[string]any{"momentum": 0.5, "centered": true}},
	{"Adam", map[string]any{}},
	{"Adam", map[string]any{"amsgrad": true, "weight_decay": 0.1}},
	{"AdamW", map[string]any{"amsgrad": true}},
	{"Adadelta", map[string]any{}},
}

func TestStepErrors(t *testing.T) {
	view, err := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking(make([]float64, 6))).Slice(nil, tensor.S(0))
	if err != nil {
		t.Fatal(err)
	}
	ints := tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))
	tests := []struct {
		name   string
		params []Param
		want   string
	}{
		{"no name", []Param{{Value: vec(1), Grad: vec(1)}}, "param 0 has no name"},
		{"nil value", []Param{{Name: "w", Grad: vec(1)}}, `"w" has a nil Value`},
		{"grad shape", []Param{{Name: "w", Value: vec(1, 2), Grad: vec(1, 2, 3)}}, `"w": grad shape (3) != value shape (2)`},
		{"column grad", []Param{{Name: "w", Value: vec(1, 2), Grad: tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{1, 2}))}}, `"w": grad shape (2, 1) != value shape (2)`},
		{"grad dtype", []Param{{Name: "w", Value: vec(1, 2), Grad: vec32(1, 2)}}, `"w": grad dtype float32 != value dtype float64`},
		{"int value", []Param{{Name: "w", Value: ints, Grad: ints}}, `"w" has dtype int`},
		{"view", []Param{{Name: "w", Value: view.(*tensor.Dense), Grad: vec(1, 2, 3)}}, `"w": value of shape (3) is not contiguous`},
		{"duplicate", []Param{{Name: "w", Value: vec(1), Grad: vec(1)}, {Name: "w", Value: vec(1), Grad: vec(1)}}, `"w" appears twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := mustTorch(t, "Adam", nil)
			err := o.Step(tc.params)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
			if n := len(o.State()); n != 0 {
				t.Errorf("a failed first Step left %d state tensors", n)
			}
		})
	}
}

// TestStepChecksStateShape checks that a param whose shape changed under
// the same name is refused, naming the state key and both shapes.
func TestStepChecksStateShape(t *testing.T) {
	o := mustTorch(t, "RMSprop", nil)
	if err := o.Step([]Param{{Name: "w", Value: vec(1, 2), Grad: vec(1, 1)}}); err != nil {
		t.Fatal(err)
	}
	err := o.Step([]Param{{Name: "w", Value: vec(1, 2, 3), Grad: vec(1, 1, 1)}})
	want := `param "w": state "w.square_avg" has shape (2), value has shape (3)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want an error containing %q", err, want)
	}
}

// TestFailedStepChangesNothing checks that an error in the second param
// leaves the first one (already checked) untouched.
func TestFailedStepChangesNothing(t *testing.T) {
	for _, c := range allTorch {
		o := mustTorch(t, c.opt, c.hyper)
		good := Param{Name: "a", Value: vec(1, 2), Grad: vec(0.5, 0.5)}
		bad := Param{Name: "b", Value: vec(1), Grad: vec(1, 2)}
		if err := o.Step([]Param{good, bad}); err == nil {
			t.Fatalf("%s: no error", c.opt)
		}
		if v := good.Value.Float64s(); v[0] != 1 || v[1] != 2 {
			t.Errorf("%s: a failed Step changed a to %v", c.opt, v)
		}
		if n := len(o.State()); n != 0 {
			t.Errorf("%s: a failed Step left %d state tensors", c.opt, n)
		}
	}
}

// TestScalarParam checks a 0-d parameter: it is stepped, and its state
// tensors are 0-d too.
func TestScalarParam(t *testing.T) {
	o := mustTorch(t, "Adam", map[string]any{"lr": 0.1})
	v, g := tensor.New(tensor.FromScalar(1.0)), tensor.New(tensor.FromScalar(0.5))
	if err := o.Step([]Param{{Name: "s", Value: v, Grad: g}}); err != nil {
		t.Fatal(err)
	}
	if got, want := v.Float64s()[0], 1-0.1*0.5/(0.5+1e-8); !closeRel(got, want, 1e-15) {
		t.Errorf("got %v, want %v", got, want)
	}
	st := o.State()
	if s := st["s.exp_avg"].Shape(); len(s) != 0 {
		t.Errorf("exp_avg shape %v, want ()", s)
	}
	o2 := mustTorch(t, "Adam", map[string]any{"lr": 0.1})
	if err := o2.LoadState(st); err != nil {
		t.Fatal(err)
	}
}
