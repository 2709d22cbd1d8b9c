// Command vanishing-gradients shows how gradients shrink or grow on their
// way back through a deep network, and two cures. Three 10-layer networks
// of width 32 learn the same two-moons problem: with sigmoid activations,
// the gradient reaching the first layer is orders of magnitude smaller
// than the last layer's (each sigmoid multiplies it by at most 1/4); with
// ReLU less so; with ReLU and batch normalisation the layers receive
// gradients of similar size. The per-layer gradient norms are recorded
// every epoch with train.GradFlow. Then a ReLU network initialised with
// weights 6 times too large has exploding gradients: plain SGD diverges,
// and the same run with the gradient norm clipped to 1
// (train.Config.Clip, optimizers.ClipGradNorm) trains. Plots:
// gradient_by_layer.png, gradient_per_epoch.png and exploding.png in the
// output folder.
//
//	go run ./examples/vanishing-gradients
//	go run ./examples/vanishing-gradients -quick -out /tmp/vanishing
package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/symgrad/symgrad/examples/internal/notebook"
)

// settings are the program's knobs.
type settings struct {
	epochs  int    // epochs of the three deep networks
	steps   int    // steps of the exploding-gradient runs
	samples int    // two-moons samples
	depth   int    // hidden layers
	seed    uint64 // seeds the data, the weights and the batch order
	out     string // output folder; "" means out/vanishing-gradients
}

func main() { example.Main() }

// example is the program: its flags, its quick run and its run.
var example = notebook.Example[settings, *result]{
	Name: "vanishing-gradients",
	Flags: func(fs *flag.FlagSet, s *settings) {
		fs.IntVar(&s.epochs, "epochs", 30, "epochs of each deep network")
		fs.IntVar(&s.steps, "steps", 200, "steps of the exploding-gradient runs")
		fs.IntVar(&s.samples, "samples", 1024, "two-moons samples")
		fs.IntVar(&s.depth, "depth", 10, "hidden layers")
		notebook.SeedFlag(fs, &s.seed, "the data, the weights and the batch order")
		notebook.OutFlag(fs, &s.out, "vanishing-gradients")
	},
	Quick: func(s *settings) { s.epochs, s.steps, s.samples = 4, 60, 512 },
	Run:   run,
}

// result is what a run establishes, for the test.
type result struct {
	// ratio is ‖∂L/∂W_first‖ / ‖∂L/∂W_last‖ in the first epoch, by network.
	ratio map[string]float64
	// accuracy is the final training accuracy, by network.
	accuracy map[string]float64
	// The exploding-gradient runs: did plain SGD diverge, and the clipped
	// run's first and last loss.
	unclippedDiverged         bool
	clippedFirst, clippedLast float64
	unclippedFirstNorm        float64
	files                     []string
}

// run trains every network and plots; it prints its narrative to out.
func run(s settings, out io.Writer) (*result, error) {
	if s.epochs < 1 || s.steps < 2 || s.samples < 64 || s.depth < 2 {
		return nil, fmt.Errorf("need epochs >= 1, steps >= 2, samples >= 64 and depth >= 2, got %+v", s)
	}
	dir, err := notebook.OutDir(s.out, "vanishing-gradients")
	if err != nil {
		return nil, err
	}
	res := &result{ratio: map[string]float64{}, accuracy: map[string]float64{}}
	notebook.Step(out, 1, "three deep networks, the same data, the gradient of every layer")
	flows, err := vanishing(s, out, res)
	if err != nil {
		return nil, err
	}
	files, err := plotFlows(dir, flows)
	if err != nil {
		return nil, err
	}
	res.files = append(res.files, files...)
	notebook.Step(out, 2, "exploding gradients, and clipping")
	path, err := exploding(s, dir, out, res)
	if err != nil {
		return nil, err
	}
	res.files = append(res.files, path)
	fmt.Fprintln(out)
	notebook.Wrote(out, res.files...)
	return res, nil
}
