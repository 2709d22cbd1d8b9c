package optimizers_test

import (
	"fmt"
	"maps"
	"slices"

	"github.com/symgrad/symgrad/optimizers"
	"gorgonia.org/tensor"
)

// quadraticGrad writes the gradient of f(w) = Σ (wᵢ - 3)², 2(w - 3), into g.
func quadraticGrad(w, g *tensor.Dense) {
	for i, v := range w.Float64s() {
		g.Float64s()[i] = 2 * (v - 3)
	}
}

func ExampleSGD() {
	// Minimize f(w) = Σ (wᵢ - 3)² from w = (0, 10) with SGD and momentum,
	// as torch.optim.SGD(params, lr=0.1, momentum=0.5) would.
	w := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 10}))
	g := tensor.New(tensor.WithShape(2), tensor.Of(tensor.Float64))
	params := []optimizers.Param{{Name: "w", Value: w, Grad: g}}
	opt, err := optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1, Momentum: 0.5})
	if err != nil {
		panic(err)
	}

	// Each step: compute the gradient, then let the optimizer update w.
	for step := 1; step <= 30; step++ {
		quadraticGrad(w, g)
		if err := opt.Step(params); err != nil {
			panic(err)
		}
		if step%10 == 0 {
			fmt.Printf("step %d: w = %.5f\n", step, w.Float64s())
		}
	}
	// Output:
	// step 10: w = [3.09764 2.77218]
	// step 20: w = [2.99916 3.00196]
	// step 30: w = [2.99994 3.00015]
}

func ExampleAdam() {
	// The same problem with Adam, built from PyTorch's names as
	// torch.optim.Adam(params, lr=0.5, betas=(0.8, 0.99)) would be, and a
	// StepLR schedule that halves the rate every 20 steps.
	w := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 10}))
	g := tensor.New(tensor.WithShape(2), tensor.Of(tensor.Float64))
	params := []optimizers.Param{{Name: "w", Value: w, Grad: g}}
	opt, err := optimizers.FromTorch("Adam", map[string]any{"lr": 0.5, "betas": []any{0.8, 0.99}})
	if err != nil {
		panic(err)
	}
	sched, err := optimizers.NewStepLR(opt, 20, 0.5)
	if err != nil {
		panic(err)
	}

	for step := 1; step <= 60; step++ {
		quadraticGrad(w, g)
		if err := opt.Step(params); err != nil {
			panic(err)
		}
		sched.Step()
		if step%20 == 0 {
			fmt.Printf("step %d: w = %.3f, next lr %g\n", step, w.Float64s(), opt.LR())
		}
	}

	// The state a checkpoint would save, named after the parameter.
	state := opt.State()
	fmt.Println(slices.Sorted(maps.Keys(state)))
	fmt.Println("w.step =", state["w.step"].Float64s()[0])
	// Output:
	// step 20: w = [2.835 2.798], next lr 0.25
	// step 40: w = [3.027 2.914], next lr 0.125
	// step 60: w = [2.998 2.991], next lr 0.0625
	// [w.exp_avg w.exp_avg_sq w.step]
	// w.step = 60
}

func ExampleClipGradNorm() {
	// Two gradients whose global 2-norm is √(3² + 4² + 12²) = 13.
	a := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{3, 4}))
	b := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{12}))
	params := []optimizers.Param{{Name: "a", Grad: a}, {Name: "b", Grad: b}}

	// Scale them to a global norm of (about) 6.5, as
	// torch.nn.utils.clip_grad_norm_(params, max_norm=6.5) does; it returns
	// the norm before clipping.
	total, err := optimizers.ClipGradNorm(params, 6.5, 2, true)
	if err != nil {
		panic(err)
	}
	fmt.Printf("total norm before: %g\n", total)
	fmt.Printf("a = %.6f, b = %.6f\n", a.Float64s(), b.Float64s())
	fmt.Printf("total norm after: %.6f\n", optimizers.GradNorm(params, 2))
	// Output:
	// total norm before: 13
	// a = [1.500000 2.000000], b = [6.000000]
	// total norm after: 6.500000
}

// A program's parameters, as an optimizer steps them: ParamsOf(prog) once,
// then Step after every RunTrain. Here a hand-made ParamSource stands in
// for a *compiler.Program.
func ExampleParamsOf() {
	w := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 10}))
	g := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 0}))
	params := optimizers.ParamsOf(source{w, g})
	opt, _ := optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1})
	for step := 0; step < 100; step++ {
		quadraticGrad(w, g) // what RunTrain would do
		_ = opt.Step(params)
	}
	fmt.Printf("%s %.4f\n", params[0].Name, w.Float64s())
	// Output:
	// w [3.0000 3.0000]
}

// source is a one-parameter ParamSource.
type source struct{ w, g *tensor.Dense }

func (s source) ParamTensors() ([]string, []*tensor.Dense, []*tensor.Dense) {
	return []string{"w"}, []*tensor.Dense{s.w}, []*tensor.Dense{s.g}
}
