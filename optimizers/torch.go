package optimizers

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// FromTorch returns the optimizer that torch.optim.<name>(params, **hyper)
// is in PyTorch 1.13: name is the class name (one of SGD, Adagrad, RMSprop, Adam, AdamW, Adadelta:
// the table torchOptimizers) and hyper
// its keyword arguments under their PyTorch names (lr, momentum,
// dampening, nesterov, weight_decay, alpha, centered, betas, eps, amsgrad,
// rho, lr_decay, initial_accumulator_value, maximize). Absent keys take
// PyTorch's defaults; SGD needs lr, as in PyTorch 1.13.
//
// Numbers may be any Go float or integer type (or json.Number), flags are
// bools, betas is a two-number list ([]any, []float64 or [2]float64). The
// implementation switches foreach, differentiable, capturable and fused are
// accepted only with values that change nothing here (foreach: nil, true or
// false; the others nil or false). An unknown name, a key the optimizer
// does not take, a value of the wrong type or a value PyTorch would reject
// is an error.
func FromTorch(name string, hyper map[string]any) (Optimizer, error) {
	i := slices.IndexFunc(torchOptimizers, func(t torchOptimizer) bool { return t.name == name })
	if i < 0 {
		names := make([]string, len(torchOptimizers))
		for j, t := range torchOptimizers {
			names[j] = t.name
		}
		return nil, fmt.Errorf("optimizers: FromTorch: unknown optimizer %q (known: %s)", name, strings.Join(names, ", "))
	}
	a := &torchArgs{opt: name, m: hyper, used: map[string]bool{}}
	a.noops()
	lr, hasLR := a.float("lr")
	o, err := torchOptimizers[i].build(a, lr, hasLR)
	if err != nil {
		return nil, err
	}
	if hasLR && lr == 0 {
		o.SetLR(0) // 0 in a config means the default
	}
	return o, nil
}

// torchOptimizer is one torch.optim class FromTorch accepts: its name and
// how its keyword arguments map onto the optimizer's config.
type torchOptimizer struct {
	name  string
	build func(a *torchArgs, lr float64, hasLR bool) (Optimizer, error)
}

// torchOptimizers is the table of torch.optim classes, in the order an
// error lists them.
var torchOptimizers = []torchOptimizer{
	{"SGD", func(a *torchArgs, lr float64, hasLR bool) (Optimizer, error) {
		if !hasLR && a.err == nil {
			a.err = fmt.Errorf("lr is required (torch.optim.SGD has no default in PyTorch 1.13)")
		}
		cfg := SGDConfig{LR: lr}
		a.set("momentum", &cfg.Momentum)
		a.set("dampening", &cfg.Dampening)
		a.set("weight_decay", &cfg.WeightDecay)
		a.flag("nesterov", &cfg.Nesterov)
		a.flag("maximize", &cfg.Maximize)
		return a.build(func() (Optimizer, error) { return NewSGD(cfg) })
	}},
	{"Adagrad", func(a *torchArgs, lr float64, _ bool) (Optimizer, error) {
		cfg := AdagradConfig{LR: lr, Eps: a.ptr("eps")}
		a.set("lr_decay", &cfg.LRDecay)
		a.set("weight_decay", &cfg.WeightDecay)
		a.set("initial_accumulator_value", &cfg.InitialAccumulatorValue)
		a.flag("maximize", &cfg.Maximize)
		return a.build(func() (Optimizer, error) { return NewAdagrad(cfg) })
	}},
	{"RMSprop", func(a *torchArgs, lr float64, _ bool) (Optimizer, error) {
		cfg := RMSpropConfig{LR: lr, Alpha: a.ptr("alpha"), Eps: a.ptr("eps")}
		a.set("weight_decay", &cfg.WeightDecay)
		a.set("momentum", &cfg.Momentum)
		a.flag("centered", &cfg.Centered)
		a.flag("maximize", &cfg.Maximize)
		return a.build(func() (Optimizer, error) { return NewRMSprop(cfg) })
	}},
	{"Adam", func(a *torchArgs, lr float64, _ bool) (Optimizer, error) {
		cfg := AdamConfig{LR: lr, Betas: a.betas(), Eps: a.ptr("eps")}
		a.set("weight_decay", &cfg.WeightDecay)
		a.flag("amsgrad", &cfg.AMSGrad)
		a.flag("maximize", &cfg.Maximize)
		return a.build(func() (Optimizer, error) { return NewAdam(cfg) })
	}},
	{"AdamW", func(a *torchArgs, lr float64, _ bool) (Optimizer, error) {
		cfg := AdamWConfig{LR: lr, Betas: a.betas(), Eps: a.ptr("eps"), WeightDecay: DefaultAdamWWeightDecay}
		a.set("weight_decay", &cfg.WeightDecay)
		a.flag("amsgrad", &cfg.AMSGrad)
		a.flag("maximize", &cfg.Maximize)
		return a.build(func() (Optimizer, error) { return NewAdamW(cfg) })
	}},
	{"Adadelta", func(a *torchArgs, lr float64, _ bool) (Optimizer, error) {
		cfg := AdadeltaConfig{LR: lr, Rho: a.ptr("rho"), Eps: a.ptr("eps")}
		a.set("weight_decay", &cfg.WeightDecay)
		a.flag("maximize", &cfg.Maximize)
		return a.build(func() (Optimizer, error) { return NewAdadelta(cfg) })
	}},
}

// torchArgs reads PyTorch keyword arguments, remembering which keys were
// read and the first error.
type torchArgs struct {
	opt  string
	m    map[string]any
	used map[string]bool
	err  error
}

// build reports the first argument error, or an unknown key, or else
// constructs the optimizer.
func (a *torchArgs) build(construct func() (Optimizer, error)) (Optimizer, error) {
	if a.err == nil {
		for _, k := range slices.Sorted(maps.Keys(a.m)) {
			if !a.used[k] {
				a.err = fmt.Errorf("unknown hyperparameter %q", k)
				break
			}
		}
	}
	if a.err != nil {
		return nil, fmt.Errorf("optimizers: FromTorch(%q): %w", a.opt, a.err)
	}
	return construct()
}

func (a *torchArgs) fail(key string, v any, want string) {
	if a.err == nil {
		a.err = fmt.Errorf("hyperparameter %q is %v (%T), want %s", key, v, v, want)
	}
}

// float returns hyper[key] as a float64 and whether it was present.
func (a *torchArgs) float(key string) (float64, bool) {
	v, ok := a.m[key]
	if !ok {
		return 0, false
	}
	a.used[key] = true
	x, ok := toFloat(v)
	if !ok {
		a.fail(key, v, "a number")
	}
	return x, true
}

// set stores hyper[key] in *dst if present.
func (a *torchArgs) set(key string, dst *float64) {
	if x, ok := a.float(key); ok {
		*dst = x
	}
}

// ptr returns hyper[key] as a *float64, nil if absent.
func (a *torchArgs) ptr(key string) *float64 {
	if x, ok := a.float(key); ok {
		return &x
	}
	return nil
}

// flag stores hyper[key] in *dst if present.
func (a *torchArgs) flag(key string, dst *bool) {
	v, ok := a.m[key]
	if !ok {
		return
	}
	a.used[key] = true
	if b, ok := v.(bool); ok {
		*dst = b
	} else {
		a.fail(key, v, "a bool")
	}
}

// betas returns hyper["betas"], nil if absent.
func (a *torchArgs) betas() *[2]float64 {
	v, ok := a.m["betas"]
	if !ok {
		return nil
	}
	a.used["betas"] = true
	var list []any
	switch b := v.(type) {
	case []any:
		list = b
	case []float64:
		list = []any{}
		for _, x := range b {
			list = append(list, x)
		}
	case [2]float64:
		return &b
	}
	var out [2]float64
	okAll := len(list) == 2
	for i := 0; okAll && i < 2; i++ {
		out[i], okAll = toFloat(list[i])
	}
	if !okAll {
		a.fail("betas", v, "a list of two numbers")
		return nil
	}
	return &out
}

// noops accepts the implementation switches that change nothing here.
func (a *torchArgs) noops() {
	for _, key := range []string{"foreach", "differentiable", "capturable", "fused"} {
		v, present := a.m[key]
		if !present {
			continue
		}
		a.used[key] = true
		ok := v == nil
		if b, isBool := v.(bool); isBool {
			ok = !b || key == "foreach" // foreach=True picks an equivalent implementation
		}
		switch {
		case ok:
		case key == "foreach":
			a.fail(key, v, "nil, true or false")
		default:
			a.fail(key, v, "nil or false (true is not supported)")
		}
	}
}

// toFloat converts a Go number (or json.Number) to float64.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}
