package train_test

import (
	"context"
	"testing"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// A text classifier trained end to end on int64 token ids with no
// hand-written loop: the textcnn zoo model (Embedding, Conv1d, ReLU, max
// over time, Linear) on keyword texts, batched, shuffled and split by
// package data, reaches >= 90% validation accuracy in a few epochs.
func TestFitTextCNNOnTokenIDs(t *testing.T) {
	d := must(data.KeywordTexts(640, 40, 1000, 4, 5, 3, 11))
	s := must(data.Split(d, data.SplitConfig{Val: 0.2, Seed: 2, Stratify: true}))
	m := must(models.Build("textcnn", models.Config{Batch: 32, Seed: 3}))
	opt := must(optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01}))
	h, err := train.Fit(context.Background(), m, train.Config{
		Epochs: 4, Train: s.Train, Validation: s.Val, Optimizer: opt, Seed: 1,
		Metrics: []train.Metric{train.Accuracy()},
	})
	if err != nil {
		t.Fatalf("%+v", err)
	}
	first, last := h.Epochs[0].Values["loss"], h.Last()
	t.Logf("loss %.4f -> %.4f, val accuracy %.4f", first, last["loss"], last["val_accuracy"])
	if last["val_accuracy"] < 0.9 {
		t.Errorf("validation accuracy %.4f < 0.9", last["val_accuracy"])
	}
	if last["loss"] >= first {
		t.Errorf("training loss did not fall: %.4f -> %.4f", first, last["loss"])
	}
}

// A token id outside the vocabulary stops Fit with an error naming the id,
// its position in the batch and the vocabulary size, not a panic.
func TestFitTokenOutOfRange(t *testing.T) {
	d := must(data.KeywordTexts(64, 40, 1000, 4, 5, 3, 1))
	d.X.Int64s()[3] = 1000
	m := must(models.Build("textcnn", models.Config{Batch: 32}))
	_, err := train.Fit(context.Background(), m, train.Config{Epochs: 1, Train: d, NoShuffle: true,
		Optimizer: must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1}))})
	for _, want := range []string{"token id 1000", "position 3", "[0, 1000)"} {
		if !errorHas(err, want) {
			t.Errorf("error %v, want one containing %q", err, want)
		}
	}
}
