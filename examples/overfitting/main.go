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
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
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
	Quick: func(s *settings) { s.epochs = 200 },
	Run:   run,
}

// result is what a run establishes, for the test.
type result struct {
	trainLoss, valLoss map[string]float64 // final, in evaluation mode, by variant
	files              []string
}

// gap is the validation loss minus the training loss of variant v.
func (r *result) gap(v string) float64 { return r.valLoss[v] - r.trainLoss[v] }

// batch is the mini-batch size; valSamples the validation set's size (a
// multiple of it).
const batch, valSamples = 8, 96

// variant is one way of training the network.
type variant struct {
	name    string
	drop    float64 // dropout probability after every hidden layer
	l2      float64 // λ of the penalty (λ/2) Σ θ² on every parameter
	early   bool    // stop when the validation loss has not improved for 100 epochs, restoring the best weights
	augment float64 // standard deviation of fresh noise added to the training inputs every epoch
}

var variants = []variant{
	{name: "baseline"},
	{name: "dropout 0.5", drop: 0.5},
	{name: "L2 3e-2", l2: 3e-2},
	{name: "early stopping", early: true},
	{name: "input noise 0.2", augment: 0.2},
}

// outcome is what one variant's run gives.
type outcome struct {
	history            *train.History
	fit                []float64 // predictions on the plot grid
	epochs             int
	trainLoss, valLoss float64 // final, in evaluation mode
}

// run trains every variant from the same initial weights on the same
// batches, compares them and plots; it prints its narrative to out.
func run(s settings, out io.Writer) (*result, error) {
	if s.epochs < 1 || s.train < batch || s.train%batch != 0 || !(s.noise >= 0) {
		return nil, fmt.Errorf("need epochs >= 1, a positive multiple of %d training samples and noise >= 0, got %+v", batch, s)
	}
	notebook.Step(out, 1, "data: a few noisy samples of a sine")
	tr, err := data.SineRegression(s.train, s.noise, s.seed)
	if err != nil {
		return nil, err
	}
	val, err := data.SineRegression(valSamples, s.noise, s.seed+1)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "  y = sin(x) + %g·N(0, 1), x ~ U(-π, π): %d training and %d validation samples\n", s.noise, s.train, valSamples)
	fmt.Fprintf(out, "  the noise alone costs a perfect model %.3f of mean squared error on new data\n", s.noise*s.noise)
	fmt.Fprintf(out, "  model: 1 -> %v -> 1 with ReLU, MSE, Adam lr 0.003, batches of %d, %d epochs\n", hidden, batch, s.epochs)

	notebook.Step(out, 2, "five ways to train it")
	res := &result{trainLoss: map[string]float64{}, valLoss: map[string]float64{}}
	grid := gridX()
	var outcomes []outcome
	for _, v := range variants {
		o, err := trainVariant(v, s, tr, val, grid)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.name, err)
		}
		outcomes = append(outcomes, o)
	}
	for i, o := range outcomes {
		res.trainLoss[variants[i].name], res.valLoss[variants[i].name] = o.trainLoss, o.valLoss
	}
	fmt.Fprintf(out, "  final losses in evaluation mode (dropout off), on the restored weights for early stopping:\n")
	fmt.Fprintf(out, "  %-16s %7s %11s %11s %11s\n", "variant", "epochs", "train loss", "val loss", "gap")
	for i, o := range outcomes {
		name := variants[i].name
		fmt.Fprintf(out, "  %-16s %7d %11.4f %11.4f %11.4f\n", name, o.epochs, res.trainLoss[name], res.valLoss[name], res.gap(name))
	}
	fmt.Fprintf(out, "  (a gap near 0 with a validation loss near %.3f is the best one can do)\n", s.noise*s.noise)

	notebook.Step(out, 3, "plots")
	dir, err := notebook.OutDir(s.out, "overfitting")
	if err != nil {
		return nil, err
	}
	curves, fits := filepath.Join(dir, "curves.png"), filepath.Join(dir, "fits.png")
	if err := plotCurves(curves, outcomes); err != nil {
		return nil, err
	}
	if err := plotFits(fits, tr, grid, outcomes); err != nil {
		return nil, err
	}
	res.files = []string{curves, fits}
	notebook.Wrote(out, res.files...)
	return res, nil
}

// gridX is 96 evenly spaced x in [-π, π], as a [96, 1] input.
func gridX() *tensor.Dense {
	xs := make([]float64, valSamples)
	for i := range xs {
		xs[i] = -math.Pi + 2*math.Pi*float64(i)/float64(len(xs)-1)
	}
	return tensor.New(tensor.WithShape(len(xs), 1), tensor.WithBacking(xs))
}

// trainVariant trains one variant and measures it: the training and
// validation losses in evaluation mode, and its predictions on grid.
func trainVariant(v variant, s settings, tr, val *data.Dataset, grid *tensor.Dense) (outcome, error) {
	net := network(s.seed, v.drop)
	m, err := net.Build(batch)
	if err != nil {
		return outcome{}, err
	}
	opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: 0.003})
	if err != nil {
		return outcome{}, err
	}
	cfg := train.Config{Epochs: s.epochs, Train: tr, DropLast: true, Validation: val, Optimizer: opt, Seed: s.seed,
		Rebuild: net.Build}
	if v.l2 > 0 {
		cfg.CompileOptions = []compiler.Option{compiler.WithL2(v.l2)}
	}
	if v.early {
		cfg.Callbacks = append(cfg.Callbacks, &train.EarlyStopping{Monitor: "val_loss", Patience: 100, RestoreBest: true})
	}
	if v.augment > 0 {
		// The training set is copied, so that the noise never touches the
		// clean data the final loss is measured on.
		noisy, err := data.New(tr.Name, tr.X.Clone().(*tensor.Dense), tr.Y)
		if err != nil {
			return outcome{}, err
		}
		aug, err := newNoiseAugment(noisy, v.augment, s.seed)
		if err != nil {
			return outcome{}, err
		}
		cfg.Train = noisy
		cfg.Callbacks = append(cfg.Callbacks, aug)
	}
	t, err := train.NewTrainer(m, cfg)
	if err != nil {
		return outcome{}, err
	}
	defer t.Close()
	h, err := t.Fit(context.Background())
	if err != nil {
		return outcome{}, err
	}
	o := outcome{history: h, epochs: len(h.Epochs)}
	ctx := context.Background()
	for _, e := range []struct {
		d    *data.Dataset
		into *float64
	}{{tr, &o.trainLoss}, {val, &o.valLoss}} {
		logs, err := t.Evaluate(ctx, e.d)
		if err != nil {
			return outcome{}, err
		}
		*e.into = logs["loss"]
	}
	pred, err := t.Predict(ctx, grid)
	if err != nil {
		return outcome{}, err
	}
	o.fit = pred.Data().([]float64)
	return o, nil
}

// noiseAugment is data augmentation by input noise: before every epoch it
// resets the training inputs to their clean values and adds fresh
// Gaussian noise (data.Augmenter), so the network never sees the same
// input twice. The trainer's batcher reads the dataset's tensors at every
// batch, so the change shows in that epoch's batches.
type noiseAugment struct {
	train.Base
	d     *data.Dataset
	clean []float64
	aug   *data.Augmenter
}

func newNoiseAugment(d *data.Dataset, std float64, seed uint64) (*noiseAugment, error) {
	aug, err := data.NewAugmenter(data.AugmentConfig{NoiseStd: std}, seed)
	if err != nil {
		return nil, err
	}
	clean := append([]float64(nil), d.X.Data().([]float64)...)
	return &noiseAugment{d: d, clean: clean, aug: aug}, nil
}

// OnEpochBegin draws the epoch's noisy inputs.
func (a *noiseAugment) OnEpochBegin(*train.Trainer, int) error {
	copy(a.d.X.Data().([]float64), a.clean)
	return a.aug.ApplyInPlace(a.d.X)
}
