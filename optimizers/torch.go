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
// error lists them. Each reads its keyword arguments (lr aside) in the
// order listed, which decides which of two bad ones an error names.
var torchOptimizers = []torchOptimizer{
	{"SGD", func(a *torchArgs, lr float64, hasLR bool) (Optimizer, error) {
		if !hasLR && a.err == nil {
			a.err = fmt.Errorf("lr is required (torch.optim.SGD has no default in PyTorch 1.13)")
		}
		c := SGDConfig{LR: lr}
		a.read(kw{"momentum", &c.Momentum}, kw{"dampening", &c.Dampening}, kw{"weight_decay", &c.WeightDecay}, kw{"nesterov", &c.Nesterov}, kw{"maximize", &c.Maximize})
		return construct(a, NewSGD, c)
	}},
	{"Adagrad", func(a *torchArgs, lr float64, _ bool) (Optimizer, error) {
		c := AdagradConfig{LR: lr}
		a.read(kw{"eps", &c.Eps}, kw{"lr_decay", &c.LRDecay}, kw{"weight_decay", &c.WeightDecay}, kw{"initial_accumulator_value", &c.InitialAccumulatorValue}, kw{"maximize", &c.Maximize})
		return construct(a, NewAdagrad, c)
	}},
	{"RMSprop", func(a *torchArgs, lr float64, _ bool) (Optimizer, error) {
		c := RMSpropConfig{LR: lr}
		a.read(kw{"alpha", &c.Alpha}, kw{"eps", &c.Eps}, kw{"weight_decay", &c.WeightDecay}, kw{"momentum", &c.Momentum}, kw{"centered", &c.Centered}, kw{"maximize", &c.Maximize})
		return construct(a, NewRMSprop, c)
	}},
	{"Adam", func(a *torchArgs, lr float64, _ bool) (Optimizer, error) {
		c := AdamConfig{LR: lr}
		a.read(kw{"betas", &c.Betas}, kw{"eps", &c.Eps}, kw{"weight_decay", &c.WeightDecay}, kw{"amsgrad", &c.AMSGrad}, kw{"maximize", &c.Maximize})
		return construct(a, NewAdam, c)
	}},
	{"AdamW", func(a *torchArgs, lr float64, _ bool) (Optimizer, error) {
		c := AdamWConfig{LR: lr, WeightDecay: DefaultAdamWWeightDecay}
		a.read(kw{"betas", &c.Betas}, kw{"eps", &c.Eps}, kw{"weight_decay", &c.WeightDecay}, kw{"amsgrad", &c.AMSGrad}, kw{"maximize", &c.Maximize})
		return construct(a, NewAdamW, c)
	}},
	{"Adadelta", func(a *torchArgs, lr float64, _ bool) (Optimizer, error) {
		c := AdadeltaConfig{LR: lr}
		a.read(kw{"rho", &c.Rho}, kw{"eps", &c.Eps}, kw{"weight_decay", &c.WeightDecay}, kw{"maximize", &c.Maximize})
		return construct(a, NewAdadelta, c)
	}},
}

// kw is one keyword argument and the config field it sets when present:
// a *float64, a **float64 (a setting whose nil means the default), a *bool
// or, for betas, a **[2]float64.
type kw struct {
	key string
	dst any
}

// construct reports the first argument error, or an unknown key, or else
// returns newOpt(cfg).
func construct[C any, O Optimizer](a *torchArgs, newOpt func(C) (O, error), cfg C) (Optimizer, error) {
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
	o, err := newOpt(cfg)
	if err != nil {
		return nil, err
	}
	return o, nil
}

// torchArgs reads PyTorch keyword arguments, remembering which keys were
// read and the first error.
type torchArgs struct {
	opt  string
	m    map[string]any
	used map[string]bool
	err  error
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

// read sets the field of each present keyword argument, in order.
func (a *torchArgs) read(kws ...kw) {
	for _, k := range kws {
		switch dst := k.dst.(type) {
		case *float64:
			if x, ok := a.float(k.key); ok {
				*dst = x
			}
		case **float64:
			if x, ok := a.float(k.key); ok {
				*dst = &x
			}
		case *bool:
			a.flag(k.key, dst)
		case **[2]float64:
			*dst = a.betas()
		default:
			panic(fmt.Sprintf("optimizers: keyword %q has a field of type %T", k.key, k.dst))
		}
	}
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
