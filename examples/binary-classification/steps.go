package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// notebookRun carries one run's state from step to step.
type notebookRun struct {
	s       settings
	out     io.Writer
	res     *result
	dir     string
	sp      data.Splits        // standardized, float 0/1 targets
	labels  []int64            // the test split's classes
	classes []string           // class names, by index
	scaler  *data.Standardizer // fitted on the training split
	trainer *train.Trainer
	history *train.History
	pred    []int64 // test predictions
}

// load reads or draws the data, splits it (stratified: each split keeps
// the class proportions) and standardizes every feature with the mean and
// standard deviation of the training split alone, so that nothing about
// the validation and test samples leaks into training.
func (nb *notebookRun) load() error {
	notebook.Step(nb.out, 1, "data")
	var d *data.Dataset
	var err error
	if nb.s.data == "" {
		d, err = data.TwoMoons(nb.s.samples, nb.s.noise, nb.s.seed)
		fmt.Fprintf(nb.out, "  synthetic two moons: %d points, noise %g (no file needed; for real\n", nb.s.samples, nb.s.noise)
		fmt.Fprintln(nb.out, "  data pass -data data/testdata/sklearn/breast_cancer.csv, the bundled copy)")
	} else {
		d, err = data.LoadSklearnCSV(nb.s.data)
		if err == nil {
			fmt.Fprintf(nb.out, "  %s: %d samples, %d features\n", nb.s.data, d.Len(), d.SampleShape()[0])
		}
	}
	if err != nil {
		return err
	}
	if k := d.NumClasses(); k != 2 || len(d.SampleShape()) != 1 {
		return fmt.Errorf("%s: %d classes and samples of shape %v; this example needs two classes and a table", d.Name, k, d.SampleShape())
	}
	nb.classes = d.ClassNames
	if nb.dir, err = notebook.OutDir(nb.s.out, "binary-classification"); err != nil {
		return err
	}
	sp, err := data.Split(d, data.SplitConfig{Val: 0.15, Test: 0.2, Seed: nb.s.seed, Stratify: true})
	if err != nil {
		return err
	}
	if sp, nb.scaler, err = data.StandardizeSplits(sp, data.PerFeature); err != nil {
		return err
	}
	nb.labels = sp.Test.Y.Int64s()
	for _, part := range []struct {
		name string
		d    **data.Dataset
	}{{"train", &sp.Train}, {"validation", &sp.Val}, {"test", &sp.Test}} {
		fmt.Fprintf(nb.out, "  %-10s %4d samples, per class %v\n", part.name, (*part.d).Len(), (*part.d).ClassCounts())
		// BCEWithLogits takes float 0/1 targets [N, 1].
		if *part.d, err = (*part.d).FloatTargets(); err != nil {
			return err
		}
	}
	fmt.Fprintf(nb.out, "  classes: 0 = %s, 1 = %s\n", nb.classes[0], nb.classes[1])
	nb.sp = sp
	return nil
}

// train fits the network with Adam, keeping the weights of the epoch with
// the lowest validation loss (early stopping), with an L2 penalty on every
// parameter (compiler.WithL2: its gradient comes out of the same
// differentiation as the loss's), dropout after each hidden layer and the
// learning rate cut tenfold when the validation loss stalls
// (ReduceLROnPlateau), each when its setting is positive. The penalty is
// not in the logged loss, which stays comparable with the validation loss.
func (nb *notebookRun) train() error {
	notebook.Step(nb.out, 2, "model and training")
	features, s := nb.sp.Train.SampleShape()[0], nb.s
	net := classifier(features, s.hidden, s.dropout, s.seed)
	m, err := net.Build(s.batch)
	if err != nil {
		return err
	}
	opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: s.lr})
	if err != nil {
		return err
	}
	cfg := train.Config{DropLast: true,
		Epochs: s.epochs, Train: nb.sp.Train, Validation: nb.sp.Val, Optimizer: opt, Seed: s.seed,
		Metrics: []train.Metric{train.Accuracy()},
		Rebuild: net.Build,
	}
	if s.l2 > 0 {
		cfg.CompileOptions = []compiler.Option{compiler.WithL2(s.l2)}
	}
	if s.plateau > 0 {
		factor, patience := 0.1, s.plateau
		if cfg.Plateau, err = optimizers.NewReduceLROnPlateau(opt, optimizers.PlateauConfig{Factor: &factor, Patience: patience}); err != nil {
			return err
		}
	}
	stop := &train.EarlyStopping{Monitor: "val_loss", Patience: s.patience, RestoreBest: true}
	cfg.Callbacks = []train.Callback{stop, &every{n: max(s.epochs/10, 1), out: nb.out}}
	if nb.trainer, err = train.NewTrainer(m, cfg); err != nil {
		return err
	}
	fmt.Fprintf(nb.out, "  %d -> %v -> 1 (ReLU, dropout %g, BCEWithLogits), %d parameters\n", features, s.hidden, s.dropout, m.ParamCount())
	fmt.Fprintf(nb.out, "  Adam lr %g, batches of %d, L2 %g\n  without a lower validation loss:", s.lr, s.batch, s.l2)
	if s.plateau > 0 {
		fmt.Fprintf(nb.out, " lr / 10 after %d epochs,", s.plateau)
	}
	fmt.Fprintf(nb.out, " stop after %d epochs\n", s.patience)
	fmt.Fprintf(nb.out, "  compiled: %s\n", nb.trainer.Program().Stats())
	if nb.history, err = nb.trainer.Fit(context.Background()); err != nil {
		return err
	}
	nb.res.epochs = len(nb.history.Epochs)
	best := nb.history.Epochs[stop.BestEpoch].Values
	fmt.Fprintf(nb.out, "  ran %d epochs; best validation loss %.4f at epoch %d (accuracy %.3f), weights restored from it\n",
		nb.res.epochs, best["val_loss"], stop.BestEpoch+1, best["val_accuracy"])
	return nil
}

// every prints the epoch's values every n epochs.
type every struct {
	train.Base
	n   int
	out io.Writer
}

// OnEpochEnd prints one line every n epochs.
func (e *every) OnEpochEnd(_ *train.Trainer, epoch int, logs train.Logs) error {
	if (epoch+1)%e.n == 0 || epoch == 0 {
		fmt.Fprintf(e.out, "  epoch %3d: loss %.4f accuracy %.3f | val_loss %.4f val_accuracy %.3f\n",
			epoch+1, logs["loss"], logs["accuracy"], logs["val_loss"], logs["val_accuracy"])
	}
	return nil
}

// evaluate predicts the test split (evaluation mode, the restored weights)
// and reports accuracy, precision and recall per class and the confusion
// matrix.
func (nb *notebookRun) evaluate() error {
	notebook.Step(nb.out, 3, "held-out test split")
	logits, err := nb.trainer.Predict(context.Background(), nb.sp.Test.X)
	if err != nil {
		return err
	}
	// The prediction is class 1 when the logit is positive, that is when
	// sigmoid(logit) > 0.5.
	var c [2][2]int // c[true][predicted]
	nb.pred = make([]int64, len(nb.labels))
	for i, z := range logits.Data().([]float64) {
		if z > 0 {
			nb.pred[i] = 1
		}
		c[nb.labels[i]][nb.pred[i]]++
	}
	n := len(nb.labels)
	nb.res.confusion = c
	nb.res.accuracy = float64(c[0][0]+c[1][1]) / float64(n)
	fmt.Fprintf(nb.out, "  accuracy %.4f (%d of %d)\n\n", nb.res.accuracy, c[0][0]+c[1][1], n)
	fmt.Fprintf(nb.out, "  %-12s %9s %9s %9s %8s\n", "class", "precision", "recall", "f1", "support")
	for k := range 2 {
		tp, predicted, actual := c[k][k], c[0][k]+c[1][k], c[k][0]+c[k][1]
		p, r := ratio(tp, predicted), ratio(tp, actual)
		fmt.Fprintf(nb.out, "  %-12s %9.3f %9.3f %9.3f %8d\n", nb.classes[k], p, r, 2*p*r/max(p+r, 1e-300), actual)
	}
	fmt.Fprintf(nb.out, "\n  confusion matrix (rows: true class, columns: predicted)\n  %-12s %12s %12s\n", "", nb.classes[0], nb.classes[1])
	for k := range 2 {
		fmt.Fprintf(nb.out, "  %-12s %12d %12d\n", nb.classes[k], c[k][0], c[k][1])
	}
	return nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// plot draws the learning curves and, for 2-D data, the decision boundary.
func (nb *notebookRun) plot() error {
	notebook.Step(nb.out, 4, "plots")
	curves := filepath.Join(nb.dir, "curves.png")
	if err := train.PlotHistory(nb.history, curves); err != nil {
		return err
	}
	nb.res.files = append(nb.res.files, curves)
	if nb.sp.Train.SampleShape()[0] == 2 {
		path := filepath.Join(nb.dir, "boundary.png")
		if err := nb.plotBoundary(path); err != nil {
			return err
		}
		nb.res.files = append(nb.res.files, path)
	}
	notebook.Wrote(nb.out, nb.res.files...)
	return nil
}
