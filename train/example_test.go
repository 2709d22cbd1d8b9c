package train_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// Train the zoo's binary classifier (30 inputs) on two Gaussian blobs in
// 30 dimensions, with early stopping on the validation loss.
func ExampleFit() {
	// The data: 500 samples, 0/1 float targets for BCEWithLogits,
	// 80/20 split, standardized on the training part.
	d, _ := data.Blobs(500, 30, 2, 4.0, 1)
	d, _ = d.FloatTargets()
	sp, _ := data.Split(d, data.SplitConfig{Val: 0.2, Seed: 1})
	sp, _, _ = data.StandardizeSplits(sp, data.PerFeature)

	// The model is built for batches of 32: every training step takes 32
	// samples, the last one of an epoch the 16 left over; the 100
	// validation samples are evaluated as 3 batches of 32 and one of 4
	// (the programs for 16 and 4 samples are built once and share the
	// model's parameters).
	m, _ := models.Build("binary", models.Config{Batch: 32, Seed: 1})
	opt, _ := optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01})
	stop := &train.EarlyStopping{Monitor: "val_loss", Patience: 3, RestoreBest: true}

	h, err := train.Fit(context.Background(), m, train.Config{
		Epochs: 50, Train: sp.Train, Validation: sp.Val, Optimizer: opt, Seed: 1,
		Metrics:   []train.Metric{train.Accuracy()},
		Callbacks: []train.Callback{stop},
		// Out: os.Stdout would print a progress bar.
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("columns:", h.Columns)
	fmt.Println("steps per epoch:", h.Epochs[0].Steps) // ceil(400/32): the last partial batch is kept (DropLast drops it)
	fmt.Println("validation accuracy >= 0.95:", h.Epochs[stop.BestEpoch].Values["val_accuracy"] >= 0.95)
	// Output:
	// columns: [loss accuracy val_loss val_accuracy]
	// steps per epoch: 13
	// validation accuracy >= 0.95: true
}

// A History is written as CSV, one row per epoch, as Keras's CSVLogger.
func ExampleHistory_WriteCSV() {
	h := &train.History{
		Columns: []string{"loss", "val_loss"},
		Epochs: []train.EpochRecord{
			{Epoch: 0, LR: 0.1, Time: 1500 * time.Millisecond, Values: train.Logs{"loss": 0.75, "val_loss": 0.8}},
			{Epoch: 1, LR: 0.05, Time: 1250 * time.Millisecond, Values: train.Logs{"loss": 0.5, "val_loss": 0.625}},
		},
	}
	h.WriteCSV(os.Stdout)
	// Output:
	// epoch,loss,val_loss,lr,time_s
	// 0,0.75,0.8,0.1,1.500
	// 1,0.5,0.625,0.05,1.250
}

// GradFlow records each parameter's mean gradient norm per epoch and plots
// them on a log scale; PlotHistory draws the learning curves.
func ExampleGradFlow() {
	d, _ := data.Friedman1(256, 100, 0.5, 1)
	dir, _ := os.MkdirTemp("", "gradflow")
	defer os.RemoveAll(dir)

	m, _ := models.Build("simplenet", models.Config{Batch: 32, Seed: 1})
	opt, _ := optimizers.NewSGD(optimizers.SGDConfig{LR: 0.01})
	flow := &train.GradFlow{Path: filepath.Join(dir, "gradflow.png")}
	h, err := train.Fit(context.Background(), m, train.Config{Epochs: 3, Train: d, Optimizer: opt,
		Clip: train.Clip{MaxNorm: 10}, Metrics: []train.Metric{train.MAE()}, Callbacks: []train.Callback{flow}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(flow.Names)
	fmt.Println(len(flow.Norms), "epochs of norms")
	fmt.Println(train.PlotHistory(h, filepath.Join(dir, "history.png")))
	// Output:
	// [fc1.weight fc1.bias fc2.weight fc2.bias]
	// 3 epochs of norms
	// <nil>
}

// Predict with a model that has no optimizer (trained elsewhere, or loaded
// from a checkpoint), for any number of samples, then turn the logits into
// classes and probabilities.
func ExamplePredict() {
	m, _ := models.Build("mlp", models.Config{Batch: 16, Seed: 1}) // or LoadCheckpoint into it
	x, _ := m.SampleBatch(3)
	out, err := train.Predict(context.Background(), m, x, train.PredictConfig{BatchSize: 5}) // 5, 5, 5, 1
	if err != nil {
		fmt.Println(err)
		return
	}
	classes, _ := train.Classes(out)
	probs, _ := train.Probabilities(out)
	fmt.Println(out.Shape(), classes.Shape(), probs.Shape())
	// Output:
	// (16, 10) (16) (16, 10)
}
