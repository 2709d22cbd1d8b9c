package optimizers

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestFromTorchDefaults checks that absent hyperparameters take PyTorch
// 1.13's defaults, and that each name maps to its field.
func TestFromTorchDefaults(t *testing.T) {
	tests := []struct {
		name  string
		hyper map[string]any
		want  any
	}{
		{"SGD", map[string]any{"lr": 0.1}, SGDConfig{LR: 0.1}},
		{"SGD", map[string]any{"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01, "maximize": true, "foreach": nil, "differentiable": false},
			SGDConfig{LR: 0.1, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01, Maximize: true}},
		{"Adagrad", nil, AdagradConfig{LR: 1e-2, Eps: new(1e-10)}},
		{"Adagrad", map[string]any{"lr": 0.5, "lr_decay": 0.1, "weight_decay": 0.2, "initial_accumulator_value": 0.3, "eps": 0.4, "maximize": true},
			AdagradConfig{LR: 0.5, LRDecay: 0.1, WeightDecay: 0.2, InitialAccumulatorValue: 0.3, Eps: new(0.4), Maximize: true}},
		{"RMSprop", nil, RMSpropConfig{LR: 1e-2, Alpha: new(0.99), Eps: new(1e-8)}},
		{"RMSprop", map[string]any{"lr": 0.5, "alpha": 0.0, "eps": 0.0, "weight_decay": 0.1, "momentum": 0.2, "centered": true, "maximize": true},
			RMSpropConfig{LR: 0.5, Alpha: new(0.0), Eps: new(0.0), WeightDecay: 0.1, Momentum: 0.2, Centered: true, Maximize: true}},
		{"Adam", nil, AdamConfig{LR: 1e-3, Betas: &[2]float64{0.9, 0.999}, Eps: new(1e-8)}},
		{"Adam", map[string]any{"lr": 0.5, "betas": []any{0.0, 0.5}, "eps": 0, "weight_decay": 0.1, "amsgrad": true, "maximize": true,
			"foreach": true, "capturable": false, "differentiable": false, "fused": false},
			AdamConfig{LR: 0.5, Betas: &[2]float64{0, 0.5}, Eps: new(0.0), WeightDecay: 0.1, AMSGrad: true, Maximize: true}},
		{"AdamW", nil, AdamWConfig{LR: 1e-3, Betas: &[2]float64{0.9, 0.999}, Eps: new(1e-8), WeightDecay: 1e-2}},
		{"AdamW", map[string]any{"weight_decay": 0, "betas": []float64{0.5, 0.6}}, AdamWConfig{LR: 1e-3, Betas: &[2]float64{0.5, 0.6}, Eps: new(1e-8), WeightDecay: 0}},
		{"Adadelta", nil, AdadeltaConfig{LR: 1, Rho: new(0.9), Eps: new(1e-6)}},
		{"Adadelta", map[string]any{"lr": json.Number("0.5"), "rho": float32(0.5), "eps": 1, "weight_decay": int64(2), "maximize": true},
			AdadeltaConfig{LR: 0.5, Rho: new(0.5), Eps: new(1.0), WeightDecay: 2, Maximize: true}},
	}
	for _, tc := range tests {
		o := mustTorch(t, tc.name, tc.hyper)
		got := reflect.ValueOf(o).MethodByName("Config").Call(nil)[0].Interface()
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("FromTorch(%q, %v).Config() = %+v, want %+v", tc.name, tc.hyper, got, tc.want)
		}
	}
	if o, err := NewSGD(SGDConfig{}); err != nil || o.LR() != 1e-3 {
		t.Errorf("NewSGD(zero config): lr %v, %v", o.LR(), err)
	}
}

// TestFromTorchZeroLR checks that "lr": 0 gives a rate of exactly 0.
func TestFromTorchZeroLR(t *testing.T) {
	for _, name := range []string{"SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta"} {
		o := mustTorch(t, name, map[string]any{"lr": 0})
		if o.LR() != 0 {
			t.Errorf("%s: lr %v, want 0", name, o.LR())
		}
	}
}

func TestFromTorchErrors(t *testing.T) {
	tests := []struct {
		name  string
		hyper map[string]any
		want  string
	}{
		{"LBFGS", nil, `unknown optimizer "LBFGS"`},
		{"adam", nil, `unknown optimizer "adam"`},
		{"Adam", map[string]any{"momentum": 0.9}, `unknown hyperparameter "momentum"`},
		{"SGD", map[string]any{"lr": 0.1, "nestrov": true}, `unknown hyperparameter "nestrov"`},
		{"SGD", map[string]any{"lr": 0.1, "betas": []any{0.9, 0.99}}, `unknown hyperparameter "betas"`},
		{"Adagrad", map[string]any{"rho": 0.9}, `unknown hyperparameter "rho"`},
		{"SGD", nil, "lr is required"},
		{"Adam", map[string]any{"lr": "0.1"}, `"lr" is 0.1 (string), want a number`},
		{"Adam", map[string]any{"amsgrad": 1}, `"amsgrad" is 1 (int), want a bool`},
		{"Adam", map[string]any{"betas": []any{0.9}}, `"betas" is [0.9]`},
		{"Adam", map[string]any{"betas": 0.9}, `"betas" is 0.9`},
		{"Adam", map[string]any{"differentiable": true}, `"differentiable" is true`},
		{"Adam", map[string]any{"capturable": true}, `"capturable" is true`},
		{"Adam", map[string]any{"fused": true}, `"fused" is true`},
		{"Adam", map[string]any{"foreach": "yes"}, `"foreach" is yes`},
		// PyTorch's own checks.
		{"SGD", map[string]any{"lr": -0.1}, "invalid learning rate: -0.1"},
		{"SGD", map[string]any{"lr": 0.1, "momentum": -1}, "invalid momentum value: -1"},
		{"SGD", map[string]any{"lr": 0.1, "weight_decay": -1}, "invalid weight_decay value: -1"},
		{"SGD", map[string]any{"lr": 0.1, "nesterov": true}, "Nesterov momentum requires a momentum and zero dampening"},
		{"SGD", map[string]any{"lr": 0.1, "nesterov": true, "momentum": 0.9, "dampening": 0.1}, "Nesterov momentum requires"},
		{"Adam", map[string]any{"lr": -1}, "invalid learning rate: -1"},
		{"Adam", map[string]any{"eps": -1}, "invalid epsilon value: -1"},
		{"Adam", map[string]any{"betas": []any{1.0, 0.999}}, "invalid beta parameter at index 0: 1"},
		{"Adam", map[string]any{"betas": []any{0.9, -0.1}}, "invalid beta parameter at index 1: -0.1"},
		{"AdamW", map[string]any{"weight_decay": -0.1}, "invalid weight_decay value: -0.1"},
		{"AdamW", map[string]any{"betas": []any{0.9, 1.0}}, "invalid beta parameter at index 1: 1"},
		{"Adagrad", map[string]any{"lr_decay": -1}, "invalid lr_decay value: -1"},
		{"Adagrad", map[string]any{"initial_accumulator_value": -1}, "invalid initial_accumulator_value value: -1"},
		{"Adagrad", map[string]any{"eps": -1}, "invalid epsilon value: -1"},
		{"RMSprop", map[string]any{"alpha": -1}, "invalid alpha value: -1"},
		{"RMSprop", map[string]any{"momentum": -1}, "invalid momentum value: -1"},
		{"Adadelta", map[string]any{"rho": 1.5}, "invalid rho value: 1.5"},
		{"Adadelta", map[string]any{"weight_decay": -1}, "invalid weight_decay value: -1"},
	}
	for _, tc := range tests {
		_, err := FromTorch(tc.name, tc.hyper)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("FromTorch(%q, %v): got %v, want an error containing %q", tc.name, tc.hyper, err, tc.want)
		}
	}
}

// TestMomentumAndNesterov checks the seed names: Momentum is SGD with
// momentum, Nesterov SGD with nesterov.
func TestMomentumAndNesterov(t *testing.T) {
	m, err := NewMomentum(0.1, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Config(), (SGDConfig{LR: 0.1, Momentum: 0.9}); got != want {
		t.Errorf("Momentum config %+v", got)
	}
	n, err := NewNesterov(0.1, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n.Config(), (SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true}); got != want {
		t.Errorf("Nesterov config %+v", got)
	}
	if _, err := NewNesterov(0.1, 0); err == nil {
		t.Error("Nesterov without momentum accepted")
	}
}
