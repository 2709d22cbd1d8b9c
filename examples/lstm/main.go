// Command lstm trains the model zoo's two recurrent networks on synthetic
// sequences of 20 steps of 32 features. The lstm model (one LSTM layer of
// 64 units, its last hidden state into a Linear layer) learns a sequence
// regression: the target is the sum of every value of the sequence
// (data.RunningSum), so the network must carry a running total through all
// 20 steps. The bilstm model (a bidirectional LSTM, both directions' final
// states into a Linear layer over 5 classes) learns a sequence
// classification: which of 5 frequencies the noisy sines of a sequence
// have (data.SequencePatterns). Both train with Adam, the learning rate
// decaying along a cosine to a hundredth, the gradients' global norm
// clipped, and early stopping on a validation split. It prints the test
// loss against the trivial baseline (the target variance for the
// regression, chance for the classes) and saves the learning curves
// (lstm_curves.png, bilstm_curves.png) and predicted against true sums
// (lstm_predictions.png) in the output folder. The full run (4096
// sequences per task, 10 epochs) takes a little over a minute on two cores.
//
//	go run ./examples/lstm
//	go run ./examples/lstm -quick -out /tmp/lstm
package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/symgrad/symgrad/examples/internal/notebook"
)

// settings are the program's knobs.
type settings struct {
	samples int // sequences per task
	epochs  int
	lr      float64
	clip    float64 // the gradients' global L2 norm is clipped to this; 0 means no clipping
	seed    uint64
	out     string // output folder; "" means out/lstm
}

func main() { example.Main() }

// example is the program: its flags, its quick run and its run.
var example = notebook.Example[settings, *result]{
	Name: "lstm",
	Flags: func(fs *flag.FlagSet, s *settings) {
		fs.IntVar(&s.samples, "samples", 4096, "sequences per task")
		fs.IntVar(&s.epochs, "epochs", 10, "training epochs per task")
		fs.Float64Var(&s.lr, "lr", 3e-3, "Adam learning rate")
		fs.Float64Var(&s.clip, "clip", 1, "clip the gradients' global L2 norm to this (0: no clipping)")
		notebook.SeedFlag(fs, &s.seed, "the sequences, the split, the weights and the batch order")
		notebook.OutFlag(fs, &s.out, "lstm")
	},
	Quick: func(s *settings) { s.samples, s.epochs = 1024, 5 },
	Run:   run,
}

// result is what a run establishes, for the test.
type result struct {
	// The regression: first and last epoch's training loss, the test MSE
	// and the variance of the test targets (the MSE of predicting the mean).
	firstLoss, lastLoss, testMSE, variance float64
	// The classification: test accuracy and chance.
	accuracy, chance float64
	files            []string
}

// run trains both models; it prints its narrative to out.
func run(s settings, out io.Writer) (*result, error) {
	if s.samples < 160 || s.epochs < 1 || !(s.lr > 0) || !(s.clip >= 0) {
		return nil, fmt.Errorf("need samples >= 160, epochs >= 1, lr > 0 and clip >= 0, got %+v", s)
	}
	dir, err := notebook.OutDir(s.out, "lstm")
	if err != nil {
		return nil, err
	}
	res := &result{}
	if err := regression(s, dir, out, res); err != nil {
		return nil, err
	}
	if err := classification(s, dir, out, res); err != nil {
		return nil, err
	}
	fmt.Fprintln(out)
	notebook.Wrote(out, res.files...)
	return res, nil
}
