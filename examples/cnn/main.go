// Command cnn trains the model zoo's LeNet-5 (two 5x5 convolutions with
// max pooling, then three fully connected layers) to classify 28x28
// images. By default the images are synthetic and seeded: outlined shapes
// (square, circle, triangle, cross) of random size and place, with pixel
// noise (data.Shapes). With -data it reads scikit-learn's handwritten
// digits (digits.csv.gz; scripts/fetch-datasets.sh fetches it, and a copy
// is in data/testdata/sklearn/): 8x8 images with pixel values 0..16, which
// it scales to [0, 1], enlarges 3 times (each pixel becomes a 3x3 block,
// 24x24) and pads with a 2-pixel black border to LeNet's 28x28. It
// reports the accuracy on a held-out test split and saves the learning
// curves (curves.png) and a grid of test images with their predictions
// (samples.png) in the output folder.
//
//	go run ./examples/cnn
//	go run ./examples/cnn -data data/testdata/sklearn/digits.csv.gz
//	go run ./examples/cnn -quick -out /tmp/cnn
package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/symgrad/symgrad/examples/internal/notebook"
)

// settings are the program's knobs.
type settings struct {
	data    string // scikit-learn's digits file; "" means synthetic shapes
	samples int    // synthetic images
	epochs  int
	lr      float64
	seed    uint64
	out     string // output folder; "" means out/cnn
}

func main() { example.Main() }

// example is the program: its flags, its quick run and its run.
var example = notebook.Example[settings, *result]{
	Name: "cnn",
	Flags: func(fs *flag.FlagSet, s *settings) {
		fs.StringVar(&s.data, "data", "", "scikit-learn's digits.csv.gz (default: synthetic shapes)")
		fs.IntVar(&s.samples, "samples", 2000, "synthetic images")
		fs.IntVar(&s.epochs, "epochs", 10, "training epochs")
		fs.Float64Var(&s.lr, "lr", 2e-3, "Adam learning rate")
		notebook.SeedFlag(fs, &s.seed, "the images, the split, the weights and the batch order")
		notebook.OutFlag(fs, &s.out, "cnn")
	},
	// A quick run: 960 images, 8 epochs.
	Quick: func(s settings) settings {
		s.samples, s.epochs = 960, 8
		return s
	},
	Run: run,
}

// result is what a run establishes, for the test.
type result struct {
	accuracy float64 // on the test split
	chance   float64 // 1 / number of classes
	files    []string
}

// run trains and evaluates; it prints its narrative to out.
func run(s settings, out io.Writer) (*result, error) {
	if s.epochs < 1 || s.samples < 100 || !(s.lr > 0) {
		return nil, fmt.Errorf("need epochs >= 1, samples >= 100 and lr > 0, got %+v", s)
	}
	return experiment(s, out)
}
