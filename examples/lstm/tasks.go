package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// batch is the batch size of both models.
const batch = 32

// fit builds zoo model name, trains it on sp with Adam and returns the
// trainer (to predict with; the caller closes it) and the history.
func fit(name string, sp data.Splits, metric train.Metric, s settings, out io.Writer) (*train.Trainer, *train.History, error) {
	m, err := models.Build(name, models.Config{Batch: batch, Seed: s.seed})
	if err != nil {
		return nil, nil, err
	}
	opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: s.lr})
	if err != nil {
		return nil, nil, err
	}
	// The learning rate follows a cosine from lr down to lr/100 over the
	// whole run, step by step: large steps early to find the sum, small
	// ones late so that the weights settle instead of rattling around the
	// minimum (and the last epochs are the best ones).
	steps := s.epochs * (sp.Train.Len() / batch)
	cosine, err := optimizers.NewCosineAnnealingLR(opt, steps, s.lr/100)
	if err != nil {
		return nil, nil, err
	}
	// Early stopping keeps the weights of the epoch with the lowest
	// validation loss, should the models start learning the training
	// sequences by heart.
	stop := &train.EarlyStopping{Monitor: "val_loss", Patience: 3, RestoreBest: true}
	t, err := train.NewTrainer(m, train.Config{Epochs: s.epochs, Train: sp.Train, DropLast: true, Validation: sp.Val, Optimizer: opt,
		// Clipping the gradients' global norm at s.clip guards against the
		// occasional large step that back-propagation through 20 time steps
		// can produce; here it changes little, the decaying rate does the work.
		Clip:     train.Clip{MaxNorm: s.clip},
		Schedule: cosine, ScheduleEveryStep: true,
		Seed: s.seed, Metrics: []train.Metric{metric}, Callbacks: []train.Callback{&epochLine{out: out, metric: metric.Name()}, stop}})
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(out, "  %s: %d parameters; %s\n", name, m.ParamCount(), t.Program().Stats())
	fmt.Fprintf(out, "  Adam lr %g -> %g (cosine), gradient norm clipped at %g, batches of %d, %d epochs\n", s.lr, s.lr/100, s.clip, batch, s.epochs)
	h, err := t.Fit(context.Background())
	if err != nil {
		t.Close()
		return nil, nil, err
	}
	fmt.Fprintf(out, "  kept the weights of epoch %d (lowest validation loss)\n", stop.BestEpoch+1)
	return t, h, nil
}

// epochLine prints one line per epoch.
type epochLine struct {
	train.Base
	out    io.Writer
	metric string
}

// OnEpochEnd prints the epoch's loss and metric, training and validation.
func (e *epochLine) OnEpochEnd(t *train.Trainer, epoch int, logs train.Logs) error {
	fmt.Fprintf(e.out, "  epoch %2d/%d: loss %.4f %s %.4f | val_loss %.4f val_%s %.4f\n", epoch+1, t.Epochs(),
		logs["loss"], e.metric, logs[e.metric], logs["val_loss"], e.metric, logs["val_"+e.metric])
	return nil
}

// split cuts d into train (70%), validation (10%) and test (20%).
func split(d *data.Dataset, seed uint64, stratify bool) (data.Splits, error) {
	return data.Split(d, data.SplitConfig{Val: 0.1, Test: 0.2, Seed: seed, Stratify: stratify})
}

// regression trains lstm to output the sum of a sequence.
func regression(s settings, dir string, out io.Writer, res *result) error {
	notebook.Step(out, 1, "lstm: the sum of a sequence")
	d, err := data.RunningSum(s.samples, 20, 32, 0.05, s.seed)
	if err != nil {
		return err
	}
	sp, err := split(d, s.seed, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  %d sequences of 20 steps x 32 features, x ~ U(-1, 1), y = Σx/√640 + 0.05·N(0, 1)\n", s.samples)
	t, h, err := fit("lstm", sp, train.MAE(), s, out)
	if err != nil {
		return err
	}
	defer t.Close()
	loss := h.Series("loss")
	res.firstLoss, res.lastLoss = loss[0], loss[len(loss)-1]
	pred, err := t.Predict(context.Background(), sp.Test.X)
	if err != nil {
		return err
	}
	p, y := pred.Data().([]float64), sp.Test.Y.Data().([]float64)
	var mean float64
	for _, v := range y {
		mean += v / float64(len(y))
	}
	var pts plotter.XYs
	for i := range y {
		res.testMSE += (p[i] - y[i]) * (p[i] - y[i]) / float64(len(y))
		res.variance += (y[i] - mean) * (y[i] - mean) / float64(len(y))
		pts = append(pts, plotter.XY{X: y[i], Y: p[i]})
	}
	fmt.Fprintf(out, "  test MSE %.4f, %.1f%% of the %.4f that predicting the mean scores (the targets' variance); the noise alone %.4f\n",
		res.testMSE, 100*res.testMSE/res.variance, res.variance, 0.05*0.05)
	curves, scatter := filepath.Join(dir, "lstm_curves.png"), filepath.Join(dir, "lstm_predictions.png")
	if err := train.PlotHistory(h, curves); err != nil {
		return err
	}
	if err := plotPredictions(scatter, pts); err != nil {
		return err
	}
	res.files = append(res.files, curves, scatter)
	return nil
}

// plotPredictions draws predicted against true test targets, with the
// line y = x where a perfect model's points would lie.
func plotPredictions(path string, pts plotter.XYs) error {
	p := notebook.NewPlot("lstm on the test split: predicted against true sums", "true sum (target)", "predicted sum")
	lo, hi := 0.0, 0.0
	for _, pt := range pts {
		lo, hi = min(lo, pt.X, pt.Y), max(hi, pt.X, pt.Y)
	}
	if err := notebook.Add(p, notebook.Series{Label: "perfect: predicted = true", XY: plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}}, Color: 7, Dashed: true}); err != nil {
		return err
	}
	if err := notebook.AddMarks(p, notebook.Marks{Label: "test sequences", XY: pts, Color: notebook.Color(0), Radius: vg.Points(2)}); err != nil {
		return err
	}
	p.Legend.Top, p.Legend.Left = true, true
	return notebook.Save(path, 6*vg.Inch, 5.5*vg.Inch, p)
}

// classification trains bilstm to tell 5 frequencies apart.
func classification(s settings, dir string, out io.Writer, res *result) error {
	notebook.Step(out, 2, "bilstm: which frequency")
	d, err := data.SequencePatterns(s.samples, 20, 32, 5, 0.3, s.seed)
	if err != nil {
		return err
	}
	sp, err := split(d, s.seed, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  %d sequences of 20 steps x 32 features: sines of 1 to 5 cycles, each feature its own phase,\n", s.samples)
	fmt.Fprintln(out, "  under Gaussian noise of standard deviation 0.3; 5 balanced classes")
	t, h, err := fit("bilstm", sp, train.Accuracy(), s, out)
	if err != nil {
		return err
	}
	defer t.Close()
	logs, err := t.Evaluate(context.Background(), sp.Test)
	if err != nil {
		return err
	}
	res.accuracy, res.chance = logs["accuracy"], 1/float64(d.NumClasses())
	fmt.Fprintf(out, "  test accuracy %.4f (%d sequences); chance is %.2f\n", res.accuracy, sp.Test.Len(), res.chance)
	curves := filepath.Join(dir, "bilstm_curves.png")
	if err := train.PlotHistory(h, curves); err != nil {
		return err
	}
	res.files = append(res.files, curves)
	return nil
}
