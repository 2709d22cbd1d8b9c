package train_test

import (
	"bytes"
	"context"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// WriteCSV's format is pinned by testdata/history.golden: shortest
// round-trip floats, empty cells for missing values, lr and seconds last.
func TestHistoryWriteCSVGolden(t *testing.T) {
	h := &train.History{
		Columns: []string{"loss", "accuracy", "val_loss", "val_accuracy"},
		Epochs: []train.EpochRecord{
			{Epoch: 0, Steps: 10, LR: 0.1, Time: 1234 * time.Millisecond,
				Values: train.Logs{"loss": 0.6931471805599453, "accuracy": 0.5, "val_loss": 0.7, "val_accuracy": 0.45}},
			{Epoch: 1, Steps: 10, LR: 0.05, Time: 987654 * time.Microsecond,
				Values: train.Logs{"loss": 0.25, "accuracy": 0.9375, "val_loss": math.NaN()}},
			{Epoch: 2, Steps: 10, LR: 1e-7, Time: 2 * time.Second,
				Values: train.Logs{"loss": 1e-9, "accuracy": 1, "val_loss": math.Inf(1), "val_accuracy": 1}},
		},
	}
	var got bytes.Buffer
	if err := h.WriteCSV(&got); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "history.golden")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("WriteCSV:\n%s\nwant:\n%s", got.Bytes(), want)
	}
	if e, v := h.Best("val_loss", "min"); e != 0 || v != 0.7 {
		t.Errorf("Best skips NaN and Inf: got %d %v", e, v)
	}
}

// Schedules: StepLR per epoch, LinearLR per step, ReduceLROnPlateau fed
// the validation loss; History records each epoch's last learning rate.
func TestSchedules(t *testing.T) {
	tr, val := moons(t, 160, 0.1, 1) // 120 training samples: 7 steps of 16, one of 8
	run := func(t *testing.T, cfg train.Config, opt optimizers.Optimizer) *train.History {
		t.Helper()
		cfg.Train, cfg.Optimizer, cfg.Epochs, cfg.Rebuild = tr, opt, 4, moonsNet
		h, err := train.Fit(context.Background(), must(moonsNet(16)), cfg)
		if err != nil {
			t.Fatalf("%+v", err)
		}
		return h
	}
	lrs := func(h *train.History) []float64 {
		var out []float64
		for _, e := range h.Epochs {
			out = append(out, e.LR)
		}
		return out
	}
	t.Run("StepLR per epoch", func(t *testing.T) {
		opt := must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1}))
		h := run(t, train.Config{Schedule: must(optimizers.NewStepLR(opt, 2, 0.5))}, opt)
		if got, want := lrs(h), []float64{0.1, 0.1, 0.05, 0.05}; !equalFloats(got, want) {
			t.Errorf("lr %v, want %v", got, want)
		}
	})
	t.Run("LinearLR per step", func(t *testing.T) {
		opt := must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1}))
		var seen []float64
		cb := &batchInfo{fn: func(b train.Batch) { seen = append(seen, b.LR) }}
		run(t, train.Config{Schedule: must(optimizers.NewLinearLR(opt, 0.1, 1, 10)), ScheduleEveryStep: true,
			Callbacks: []train.Callback{cb}}, opt)
		if len(seen) != 32 || math.Abs(seen[0]-0.01) > 1e-12 || math.Abs(seen[10]-0.1) > 1e-12 || !(seen[5] > seen[4]) {
			t.Errorf("per-step rates %v", seen)
		}
	})
	t.Run("ReduceLROnPlateau on val_loss", func(t *testing.T) {
		opt := must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1}))
		pl := must(optimizers.NewReduceLROnPlateau(opt, optimizers.PlateauConfig{Patience: 0}))
		h := run(t, train.Config{Validation: val, Rebuild: moonsNet, Plateau: pl}, opt)
		_, best := h.Best("val_loss", "min")
		if pl.Best() != best || pl.LastEpoch() != 4 {
			t.Errorf("plateau best %v after %d steps, history's best val_loss %v", pl.Best(), pl.LastEpoch(), best)
		}
	})
}

type batchInfo struct {
	train.Base
	fn func(train.Batch)
}

func (b *batchInfo) OnBatchEnd(_ *train.Trainer, info train.Batch) error {
	b.fn(info)
	return nil
}
