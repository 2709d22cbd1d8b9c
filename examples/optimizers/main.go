// Command optimizers compares seven update rules — SGD, Momentum, Nesterov,
// AdaGrad, RMSprop, Adam and AdamW — first on one network and one dataset
// (the seed's SimpleNet, 100 -> 50 -> 1, on Friedman's regression problem
// #1 with 100 features), every rule starting from the same weights and
// seeing the same batches, then on two classic 2-D test functions,
// Rosenbrock's valley and Beale's function, whose gradients come from the
// same symbolic differentiation (the functions are written in the
// expression language). It prints the final losses and saves the loss
// curves (network_loss.png) and the paths over contour lines
// (rosenbrock.png, beale.png) in the output folder.
//
//	go run ./examples/optimizers
//	go run ./examples/optimizers -quick -out /tmp/opt
package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/optimizers"
)

// settings are the program's knobs.
type settings struct {
	epochs  int    // epochs on the network problem
	samples int    // samples of the network problem
	steps   int    // steps on each 2-D function
	seed    uint64 // seeds the data, the weights and the batch order
	out     string // output folder; "" means out/optimizers
}

func main() { example.Main() }

// example is the program: its flags, its quick run and its run.
var example = notebook.Example[settings, *result]{
	Name: "optimizers",
	Flags: func(fs *flag.FlagSet, s *settings) {
		fs.IntVar(&s.epochs, "epochs", 40, "epochs on the network problem")
		fs.IntVar(&s.samples, "samples", 1024, "samples of the network problem")
		fs.IntVar(&s.steps, "steps", 3000, "steps on each 2-D test function")
		notebook.SeedFlag(fs, &s.seed, "the data, the weights and the batch order")
		notebook.OutFlag(fs, &s.out, "optimizers")
	},
	Quick: func(s *settings) { s.epochs, s.samples, s.steps = 12, 512, 600 },
	Run:   run,
}

// rule is an update rule with the hyperparameters used on each problem.
type rule struct {
	name string
	make func(lr float64) (optimizers.Optimizer, error)
	// Learning rates on the network, on Rosenbrock and on Beale.
	lrNet, lrRosen, lrBeale float64
}

// rules are the update rules compared, with learning rates that suit
// each problem (picked by hand from a coarse sweep; PyTorch's defaults
// where they work).
var rules = []rule{
	{"SGD", func(lr float64) (optimizers.Optimizer, error) {
		return optimizers.NewSGD(optimizers.SGDConfig{LR: lr})
	}, 0.01, 1e-3, 1e-2},
	{"Momentum", func(lr float64) (optimizers.Optimizer, error) { return optimizers.NewMomentum(lr, 0.9) }, 0.01, 1e-4, 1e-3},
	{"Nesterov", func(lr float64) (optimizers.Optimizer, error) { return optimizers.NewNesterov(lr, 0.9) }, 0.01, 1e-4, 1e-3},
	{"AdaGrad", func(lr float64) (optimizers.Optimizer, error) {
		return optimizers.NewAdagrad(optimizers.AdagradConfig{LR: lr})
	}, 0.05, 0.5, 0.5},
	{"RMSprop", func(lr float64) (optimizers.Optimizer, error) {
		return optimizers.NewRMSprop(optimizers.RMSpropConfig{LR: lr})
	}, 1e-3, 1e-2, 1e-2},
	{"Adam", func(lr float64) (optimizers.Optimizer, error) {
		return optimizers.NewAdam(optimizers.AdamConfig{LR: lr})
	}, 1e-3, 0.05, 0.05},
	{"AdamW", func(lr float64) (optimizers.Optimizer, error) {
		return optimizers.NewAdamW(optimizers.AdamWConfig{LR: lr, WeightDecay: optimizers.DefaultAdamWWeightDecay})
	}, 1e-3, 0.05, 0.05},
}

// result is what a run establishes, for the test.
type result struct {
	final map[string]float64            // final training loss on the network, by rule
	end   map[string]map[string]float64 // final f on each 2-D function, by function and rule
	files []string
}

// run trains and plots; it prints its narrative to out.
func run(s settings, out io.Writer) (*result, error) {
	if s.epochs < 1 || s.samples < 64 || s.steps < 1 {
		return nil, fmt.Errorf("need epochs >= 1, samples >= 64 and steps >= 1, got %d, %d, %d", s.epochs, s.samples, s.steps)
	}
	dir, err := notebook.OutDir(s.out, "optimizers")
	if err != nil {
		return nil, err
	}
	res := &result{end: map[string]map[string]float64{}}
	notebook.Step(out, 1, "one network, one dataset, seven update rules")
	curves, err := networkRace(s, out)
	if err != nil {
		return nil, err
	}
	res.final = map[string]float64{}
	for i, c := range curves {
		res.final[rules[i].name] = c[len(c)-1]
	}
	path := filepath.Join(dir, "network_loss.png")
	if err := plotCurves(path, curves); err != nil {
		return nil, err
	}
	res.files = append(res.files, path)
	notebook.Wrote(out, path)

	for k, f := range testFunctions {
		notebook.Step(out, k+2, f.title)
		end, paths, err := raceOn(f, s.steps, out)
		if err != nil {
			return nil, err
		}
		res.end[f.name] = end
		path := filepath.Join(dir, f.name+".png")
		if err := plotPaths(path, f, paths); err != nil {
			return nil, err
		}
		res.files = append(res.files, path)
		notebook.Wrote(out, path)
	}
	return res, nil
}
