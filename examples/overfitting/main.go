// Command overfitting trains a network far too big for its data — about
// 33,000 parameters for 16 noisy samples of a sine — and compares five
// ways of training it: as it is (the baseline), with dropout, with an L2
// penalty on the weights (compiler.WithL2, passed through
// train.Config.CompileOptions), with early stopping on the validation
// loss, and with data augmentation (fresh Gaussian noise on the training
// inputs every epoch). It prints each one's final training and validation
// loss, both in evaluation mode, and the gap between them, and saves the
// train and validation curves side by side (curves.png) and the fitted
// functions over the training points (fits.png) in the output folder.
//
//	go run ./examples/overfitting
//	go run ./examples/overfitting -quick -out /tmp/overfitting
package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/symgrad/symgrad/examples/internal/notebook"
)

// settings are the program's knobs.
type settings struct {
	epochs int     // epochs of every run
	train  int     // training samples
	noise  float64 // noise on the targets
	seed   uint64  // seeds the data, the weights, the dropout masks and the batch order
	out    string  // output folder; "" means out/overfitting
}

func main() { example.Main() }

// example is the program: its flags, its quick run and its run.
var example = notebook.Example[settings, *result]{
	Name: "overfitting",
	Flags: func(fs *flag.FlagSet, s *settings) {
		fs.IntVar(&s.epochs, "epochs", 800, "epochs of every run")
		fs.IntVar(&s.train, "train", 16, "training samples (a multiple of 8)")
		fs.Float64Var(&s.noise, "noise", 0.3, "standard deviation of the noise on the targets")
		notebook.SeedFlag(fs, &s.seed, "the data, the weights, the dropout masks and the batch order")
		notebook.OutFlag(fs, &s.out, "overfitting")
	},
	// A quick run: 200 epochs.
	Quick: func(s settings) settings {
		s.epochs = 200
		return s
	},
	Run: run,
}

// result is what a run establishes, for the test.
type result struct {
	trainLoss, valLoss map[string]float64 // final, in evaluation mode, by variant
	files              []string
}

// gap is the validation loss minus the training loss of variant v.
func (r *result) gap(v string) float64 { return r.valLoss[v] - r.trainLoss[v] }

// run trains every variant and plots; it prints its narrative to out.
func run(s settings, out io.Writer) (*result, error) {
	if s.epochs < 1 || s.train < batch || s.train%batch != 0 || !(s.noise >= 0) {
		return nil, fmt.Errorf("need epochs >= 1, a positive multiple of %d training samples and noise >= 0, got %+v", batch, s)
	}
	return experiment(s, out)
}
