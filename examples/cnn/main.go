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
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
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
	Quick: func(s *settings) { s.samples, s.epochs = 960, 8 },
	Run:   run,
}

// result is what a run establishes, for the test.
type result struct {
	accuracy float64 // on the test split
	chance   float64 // 1 / number of classes
	files    []string
}

// batch is LeNet's batch size here.
const batch = 32

// run loads the images, trains LeNet and evaluates it; it prints its
// narrative to out.
func run(s settings, out io.Writer) (*result, error) {
	if s.epochs < 1 || s.samples < 100 || !(s.lr > 0) {
		return nil, fmt.Errorf("need epochs >= 1, samples >= 100 and lr > 0, got %+v", s)
	}
	notebook.Step(out, 1, "images")
	d, err := images(s, out)
	if err != nil {
		return nil, err
	}
	sp, err := data.Split(d, data.SplitConfig{Val: 0.15, Test: 0.2, Seed: s.seed, Stratify: true})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "  %d classes %v; train %d, validation %d, test %d images (stratified)\n",
		d.NumClasses(), d.ClassNames, sp.Train.Len(), sp.Val.Len(), sp.Test.Len())

	notebook.Step(out, 2, "LeNet-5")
	m, err := models.Build("lenet", models.Config{Batch: batch, Seed: s.seed})
	if err != nil {
		return nil, err
	}
	opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: s.lr})
	if err != nil {
		return nil, err
	}
	t, err := train.NewTrainer(m, train.Config{Epochs: s.epochs, Train: sp.Train, DropLast: true, Validation: sp.Val, Optimizer: opt,
		Seed: s.seed, Metrics: []train.Metric{train.Accuracy()}, Callbacks: []train.Callback{&epochLine{out: out}}})
	if err != nil {
		return nil, err
	}
	defer t.Close()
	fmt.Fprintf(out, "  conv(1->6, 5x5), ReLU, maxpool 2, conv(6->16, 5x5), ReLU, maxpool 2, 256 -> 120 -> 84 -> 10\n")
	fmt.Fprintf(out, "  %d parameters; %s\n", m.ParamCount(), t.Program().Stats())
	fmt.Fprintf(out, "  Adam lr %g, batches of %d, %d epochs\n", s.lr, batch, s.epochs)
	h, err := t.Fit(context.Background())
	if err != nil {
		return nil, err
	}

	notebook.Step(out, 3, "held-out test split")
	res := &result{chance: 1 / float64(d.NumClasses())}
	logits, err := t.Predict(context.Background(), sp.Test.X)
	if err != nil {
		return nil, err
	}
	pred := argmaxRows(logits)
	labels := sp.Test.Y.Int64s()
	right := 0
	for i, p := range pred {
		if int64(p) == labels[i] {
			right++
		}
	}
	res.accuracy = float64(right) / float64(len(labels))
	fmt.Fprintf(out, "  accuracy %.4f (%d of %d); chance is %.3f\n", res.accuracy, right, len(labels), res.chance)
	printConfusion(out, d.ClassNames, labels, pred)

	notebook.Step(out, 4, "plots")
	dir, err := notebook.OutDir(s.out, "cnn")
	if err != nil {
		return nil, err
	}
	curves, samples := filepath.Join(dir, "curves.png"), filepath.Join(dir, "samples.png")
	if err := train.PlotHistory(h, curves); err != nil {
		return nil, err
	}
	if err := plotSamples(samples, sp.Test, d.ClassNames, pred); err != nil {
		return nil, err
	}
	res.files = []string{curves, samples}
	notebook.Wrote(out, res.files...)
	return res, nil
}

// images returns the dataset, [N, 1, 28, 28] with pixels in [0, 1].
func images(s settings, out io.Writer) (*data.Dataset, error) {
	if s.data == "" {
		fmt.Fprintf(out, "  %d synthetic 28x28 images of outlined shapes, pixel noise 0.1 (no file needed; for\n", s.samples)
		fmt.Fprintln(out, "  handwritten digits pass -data data/testdata/sklearn/digits.csv.gz, the bundled copy)")
		return data.Shapes(data.ShapesConfig{N: s.samples, Noise: 0.1, Seed: s.seed})
	}
	d, err := data.LoadSklearnDigits(s.data)
	if err != nil {
		return nil, err
	}
	if d.SampleShape()[0] != 64 {
		return nil, fmt.Errorf("%s: %d pixels per image, want 64 (8x8)", s.data, d.SampleShape()[0])
	}
	fmt.Fprintf(out, "  %s: %d handwritten digits, 8x8 pixels 0..16, scaled to [0, 1],\n", s.data, d.Len())
	fmt.Fprintln(out, "  enlarged 3x (24x24) and padded with 2 black pixels to 28x28")
	return digitsTo28(d)
}

// digitsTo28 turns 8x8 digits into LeNet's 28x28: pixel/16, each pixel
// repeated into a 3x3 block, a 2-pixel border of zeros.
func digitsTo28(d *data.Dataset) (*data.Dataset, error) {
	n := d.Len()
	src := d.X.Data().([]float64)
	dst := make([]float64, n*28*28)
	for i := range n {
		img := dst[i*784 : (i+1)*784]
		for r := range 24 {
			for c := range 24 {
				img[(r+2)*28+c+2] = src[i*64+(r/3)*8+c/3] / 16
			}
		}
	}
	out, err := data.New("digits-28x28", tensor.New(tensor.WithShape(n, 1, 28, 28), tensor.WithBacking(dst)), d.Y)
	if err != nil {
		return nil, err
	}
	out.ClassNames = d.ClassNames
	return out, nil
}

// argmaxRows returns the index of the largest logit of every row.
func argmaxRows(t *tensor.Dense) []int {
	rows, cols := t.Shape()[0], t.Shape()[1]
	v := t.Data().([]float64)
	out := make([]int, rows)
	for i := range rows {
		for j := range cols {
			if v[i*cols+j] > v[i*cols+out[i]] {
				out[i] = j
			}
		}
	}
	return out
}

// printConfusion prints the confusion matrix, rows the true class.
func printConfusion(out io.Writer, names []string, labels []int64, pred []int) {
	k := len(names)
	c := make([][]int, k)
	for i := range c {
		c[i] = make([]int, 10)
	}
	for i, l := range labels {
		c[l][pred[i]]++
	}
	fmt.Fprintf(out, "  confusion matrix (rows: true class, columns: predicted)\n  %-9s", "")
	for _, n := range names {
		fmt.Fprintf(out, " %8.8s", n)
	}
	fmt.Fprintln(out)
	for i, n := range names {
		fmt.Fprintf(out, "  %-9.9s", n)
		for j := range k {
			fmt.Fprintf(out, " %8d", c[i][j])
		}
		fmt.Fprintln(out)
	}
}

// epochLine prints one line per epoch.
type epochLine struct {
	train.Base
	out io.Writer
}

// OnEpochEnd prints the epoch's losses and accuracies.
func (e *epochLine) OnEpochEnd(t *train.Trainer, epoch int, logs train.Logs) error {
	fmt.Fprintf(e.out, "  epoch %2d/%d: loss %.4f accuracy %.3f | val_loss %.4f val_accuracy %.3f\n",
		epoch+1, t.Epochs(), logs["loss"], logs["accuracy"], logs["val_loss"], logs["val_accuracy"])
	return nil
}
