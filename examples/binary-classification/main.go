// Command binary-classification trains a deep network for a two-class
// problem, the seed's case study: three hidden ReLU layers and one logit,
// trained with BCEWithLogits and Adam, with early stopping on a validation
// split. By default the data are scikit-learn's two moons (synthetic,
// seeded) and the program draws the decision boundary; with -data it reads
// a file in scikit-learn's CSV layout, such as the breast-cancer data
// (breast_cancer.csv; scripts/fetch-datasets.sh fetches it, and a copy is
// in data/testdata/sklearn/). Either way it reports the accuracy, each
// class's precision and recall and the confusion matrix on a held-out,
// stratified test split, with every feature standardized on the training
// split only. Plots go to the output folder: curves.png (loss and accuracy
// per epoch) and, for 2-D data, boundary.png.
//
//	go run ./examples/binary-classification
//	go run ./examples/binary-classification -data data/testdata/sklearn/breast_cancer.csv
//	go run ./examples/binary-classification -quick -out /tmp/binary
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// settings are the program's knobs.
type settings struct {
	data    string // a scikit-learn CSV file; "" means two moons
	samples int    // two-moons samples
	noise   float64
	hidden  []int // hidden layer widths
	epochs  int
	batch   int
	lr      float64
	seed    uint64
	out     string // output folder; "" means out/binary-classification
}

func main() {
	s := defaults()
	var hidden string
	flag.StringVar(&s.data, "data", "", "a two-class file in scikit-learn's CSV layout (default: synthetic two moons)")
	flag.IntVar(&s.samples, "samples", s.samples, "two-moons samples")
	flag.Float64Var(&s.noise, "noise", s.noise, "two-moons noise")
	flag.StringVar(&hidden, "hidden", "32,32,32", "hidden layer widths, comma-separated")
	flag.IntVar(&s.epochs, "epochs", s.epochs, "maximum epochs (early stopping may end sooner)")
	flag.IntVar(&s.batch, "batch", s.batch, "mini-batch size")
	flag.Float64Var(&s.lr, "lr", s.lr, "Adam learning rate")
	flag.Uint64Var(&s.seed, "seed", s.seed, "seed for the data, split, weights and batch order")
	flag.StringVar(&s.out, "out", "", "output folder (default out/binary-classification)")
	quick := flag.Bool("quick", false, "a small, fast run")
	flag.Parse()
	var err error
	if s.hidden, err = parseWidths(hidden); err != nil {
		fmt.Fprintln(os.Stderr, "binary-classification: -hidden:", err)
		os.Exit(2)
	}
	if *quick {
		s = quickSettings(s)
	}
	if _, err := run(s, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "binary-classification:", err)
		os.Exit(1)
	}
}

// defaults are the full run's settings.
func defaults() settings {
	return settings{samples: 1000, noise: 0.2, hidden: []int{32, 32, 32}, epochs: 200, batch: 32, lr: 0.005, seed: 1}
}

// quickSettings shrinks a run for tests and a first look.
func quickSettings(s settings) settings {
	s.samples, s.epochs = 400, 60
	return s
}

// parseWidths parses "32,32,16".
func parseWidths(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || w < 1 {
			return nil, fmt.Errorf("%q is not a list of positive widths", s)
		}
		out = append(out, w)
	}
	return out, nil
}

// result is what a run establishes, for the test.
type result struct {
	accuracy  float64 // on the test split
	confusion [2][2]int
	epochs    int // epochs run
	files     []string
}

// run trains and evaluates; it prints its narrative to out.
func run(s settings, out io.Writer) (*result, error) {
	if s.epochs < 1 || s.batch < 1 || len(s.hidden) == 0 || !(s.lr > 0) {
		return nil, fmt.Errorf("need epochs, batch, lr > 0 and a hidden layer, got %+v", s)
	}
	nb := &notebookRun{s: s, out: out, res: &result{}}
	for _, step := range []func() error{nb.load, nb.train, nb.evaluate, nb.plot} {
		if err := step(); err != nil {
			return nb.res, err
		}
	}
	return nb.res, nil
}
