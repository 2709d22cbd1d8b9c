package train_test

import (
	"context"
	"math"
	"testing"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// overfit returns a run built to overfit: 16 noisy two-moons samples for
// a 2-64-64-1 network, validated on 200 samples.
func overfit(t *testing.T) (tr, val *data.Dataset, build train.RebuildFunc) {
	all, val := moons(t, 420, 0.35, 11)
	tr = must(all.Subset("tiny", seq(16)))
	build = func(b int) (*models.Model, error) { return mlp("big", "bce", b, 4, 2, 64, 64, 1) }
	return tr, val, build
}

// EarlyStopping stops an overfitting run and restores the best weights:
// the restored model's validation loss is the best one recorded.
func TestEarlyStoppingRestoresBest(t *testing.T) {
	tr, val, build := overfit(t)
	es := &train.EarlyStopping{Patience: 5, RestoreBest: true}
	tn := must(train.NewTrainer(must(build(8)), train.Config{
		Epochs: 300, Train: tr, Validation: val, Seed: 1, Rebuild: build,
		Optimizer: must(optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01})), Callbacks: []train.Callback{es},
	}))
	defer tn.Close()
	h, err := tn.Fit(context.Background())
	if err != nil {
		t.Fatalf("%+v", err)
	}
	n := len(h.Epochs)
	t.Logf("stopped after epoch %d of 300, best val_loss %.6g at epoch %d; last val_loss %.6g; %s",
		es.StoppedEpoch, es.Best, es.BestEpoch, h.Last()["val_loss"], tn.StopReason())
	if es.StoppedEpoch != n-1 || n >= 300 || n != es.BestEpoch+es.Patience+1 {
		t.Fatalf("ran %d epochs, stopped at %d, best %d, patience %d", n, es.StoppedEpoch, es.BestEpoch, es.Patience)
	}
	bestEpoch, best := h.Best("val_loss", "min")
	if bestEpoch != es.BestEpoch || best != es.Best {
		t.Errorf("history's best %g at %d, early stopping's %g at %d", best, bestEpoch, es.Best, es.BestEpoch)
	}
	if !(h.Last()["val_loss"] > best) {
		t.Errorf("the run did not overfit: last val_loss %g, best %g", h.Last()["val_loss"], best)
	}
	got := must(tn.Evaluate(context.Background(), val))
	if math.Float64bits(got["loss"]) != math.Float64bits(best) {
		t.Errorf("restored model's validation loss %.17g, best recorded %.17g", got["loss"], best)
	}
}

// Without improvement for Patience epochs in max mode (accuracy),
// training stops; Mode "" picks max for an accuracy.
func TestEarlyStoppingModes(t *testing.T) {
	cases := []struct {
		monitor, mode string
		values        []float64
		stopAt, best  int
	}{
		{"val_loss", "", []float64{3, 2, 2.5, 1.9999, 2.1, 2.2}, 3, 1},
		{"val_accuracy", "", []float64{0.5, 0.6, 0.6, 0.55, 0.7}, 3, 1},
		{"val_loss", "max", []float64{1, 2, 3, 4}, -1, 3},
	}
	for _, c := range cases {
		es := &train.EarlyStopping{Monitor: c.monitor, Mode: c.mode, Patience: 2, MinDelta: 0.001}
		tn := feed(t, es, c.monitor, c.values)
		if es.StoppedEpoch != c.stopAt || es.BestEpoch != c.best {
			t.Errorf("%s %q %v: stopped at %d best %d, want %d and %d (%s)", c.monitor, c.mode, c.values,
				es.StoppedEpoch, es.BestEpoch, c.stopAt, c.best, tn.StopReason())
		}
	}
}

// feed runs a trainer whose logged value name takes the given values, one
// per epoch, through cb.
func feed(t *testing.T, cb train.Callback, name string, values []float64) *train.Trainer {
	tr, _ := moons(t, 64, 0.1, 1)
	inject := &setLog{name: name, values: values}
	tn := must(train.NewTrainer(must(moonsNet(16)), train.Config{Epochs: len(values), Train: tr,
		Optimizer: must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.01})), Callbacks: []train.Callback{inject, cb}}))
	t.Cleanup(func() { tn.Close() })
	if _, err := tn.Fit(context.Background()); err != nil {
		t.Fatalf("%+v", err)
	}
	return tn
}

// setLog overwrites a logged value with scripted values, one per epoch.
type setLog struct {
	train.Base
	name   string
	values []float64
}

func (s *setLog) OnEpochEnd(_ *train.Trainer, epoch int, logs train.Logs) error {
	logs[s.name] = s.values[epoch]
	return nil
}

// The zoo's mlpbn (BatchNorm: running statistics are buffers) with a
// validation set that leaves a remainder (the zoo rebuilds the model for
// it): the restored model, buffers included, gives the best val_loss.
func TestEarlyStoppingRestoresBuffers(t *testing.T) {
	d := must(data.Friedman1(242, 100, 0.5, 4))
	sp := must(data.Split(d, data.SplitConfig{Val: 200.0 / 242, Seed: 1}))
	sp, _ = must2(data.StandardizeSplits(sp, data.PerFeature))
	m := must(models.Build("mlpbn", models.Config{Batch: 14, Seed: 2}))
	es := &train.EarlyStopping{Patience: 3, RestoreBest: true}
	tn := must(train.NewTrainer(m, train.Config{Epochs: 200, Train: sp.Train, Validation: sp.Val, Seed: 1,
		Optimizer: must(optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01})), Callbacks: []train.Callback{es}}))
	defer tn.Close()
	h, err := tn.Fit(context.Background())
	if err != nil {
		t.Fatalf("%+v", err)
	}
	t.Logf("train %d, val %d (batch 14), %d epochs, best val_loss %.6g at %d, last %.6g", sp.Train.Len(), sp.Val.Len(),
		len(h.Epochs), es.Best, es.BestEpoch, h.Last()["val_loss"])
	if es.StoppedEpoch < 0 || es.BestEpoch == len(h.Epochs)-1 {
		t.Fatalf("no early stop: stopped %d, best %d of %d", es.StoppedEpoch, es.BestEpoch, len(h.Epochs))
	}
	got := must(tn.Evaluate(context.Background(), sp.Val))
	if math.Float64bits(got["loss"]) != math.Float64bits(es.Best) {
		t.Errorf("restored val_loss %.17g, best %.17g", got["loss"], es.Best)
	}
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}
