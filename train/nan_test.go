package train_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pkg/errors"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// When the data turns NaN-producing mid-training (inputs of 1e300 from the
// third epoch on: finite, but the squared error overflows), training stops
// with an error naming the node and the epoch, and the checkpoints of the
// completed epochs are intact and not overwritten.
func TestNaNLossStopsTraining(t *testing.T) {
	d := must(data.Friedman1(96, 5, 0.1, 3))
	dir := t.TempDir()
	ck := &train.Checkpoint{Dir: dir, Every: 1, Best: true, Monitor: "loss"}
	csvLog := &train.HistoryCSV{Path: filepath.Join(t.TempDir(), "history.csv")}
	poison := &callbackFunc{onEpoch: func(_ *train.Trainer, epoch int) {
		if epoch == 2 {
			x := d.X.Float64s()
			for i := range x {
				x[i] = 1e300
			}
		}
	}}
	m := must(regressionNet(16))
	h, err := train.Fit(context.Background(), m, train.Config{Epochs: 5, Train: d, Seed: 1,
		Optimizer: must(optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01})), Callbacks: []train.Callback{poison, ck, csvLog}})
	if err == nil {
		t.Fatal("training on overflowing data succeeded")
	}
	t.Log(err)
	var nf *compiler.NonFiniteError
	if !errors.As(err, &nf) {
		t.Fatalf("error %v is not a *compiler.NonFiniteError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "epoch 3/5, batch 1/6") || !strings.Contains(msg, nf.Node.Name()) {
		t.Errorf("error %q does not name the epoch and the node %q", msg, nf.Node.Name())
	}
	if len(h.Epochs) != 2 {
		t.Errorf("history has %d epochs, want the 2 completed ones", len(h.Epochs))
	}
	if b, _ := os.ReadFile(csvLog.Path); strings.Count(string(b), "\n") != 3 {
		t.Errorf("history CSV after the failure:\n%s", b)
	}
	want := []string{"epoch-0000.safetensors", "epoch-0001.safetensors", "best.safetensors"}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != len(want) {
		t.Errorf("checkpoint dir holds %v, want %v", files, want)
	}
	for _, name := range want {
		fresh := must(regressionNet(16))
		if _, err := models.LoadCheckpoint(filepath.Join(dir, name), fresh); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, e := range fresh.StateDict() {
			for _, v := range e.Tensor.Float64s() {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%s: %s holds %v", name, e.Name, v)
				}
			}
		}
	}
}

// The epoch-1 checkpoint holds the weights at the end of epoch 1, the
// optimizer state and the metadata; LoadCheckpoint gives them back.
func TestCheckpointContents(t *testing.T) {
	d := must(data.Friedman1(64, 5, 0.1, 3))
	dir := t.TempDir()
	ck := &train.Checkpoint{Dir: dir, Every: 2}
	var atEpoch1 map[string][]float64
	grab := &epochEnd{fn: func(t *train.Trainer, epoch int) {
		if epoch == 1 {
			atEpoch1 = map[string][]float64{}
			for _, e := range t.Model().StateDict() {
				atEpoch1[e.Name] = append([]float64(nil), e.Tensor.Float64s()...)
			}
		}
	}}
	m := must(regressionNet(16))
	_, err := train.Fit(context.Background(), m, train.Config{Epochs: 3, Train: d, Seed: 1,
		Optimizer: must(optimizers.NewMomentum(0.01, 0.9)), Callbacks: []train.Callback{grab, ck}})
	if err != nil {
		t.Fatalf("%+v", err)
	}
	if len(ck.Saved) != 1 || filepath.Base(ck.Saved[0]) != "epoch-0001.safetensors" {
		t.Fatalf("saved %v, want only epoch-0001 (every 2 epochs)", ck.Saved)
	}
	fresh := must(regressionNet(16))
	opt, err := models.LoadCheckpoint(ck.Saved[0], fresh)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range fresh.StateDict() {
		if got, want := e.Tensor.Float64s(), atEpoch1[e.Name]; !equalFloats(got, want) {
			t.Errorf("%s differs from the epoch-1 weights", e.Name)
		}
	}
	if _, ok := opt["fc1.weight.momentum_buffer"]; !ok {
		t.Errorf("optimizer state %v lacks fc1.weight.momentum_buffer", len(opt))
	}
	if _, err := os.Stat(filepath.Join(dir, "best.safetensors")); !os.IsNotExist(err) {
		t.Errorf("best.safetensors written without Best")
	}
}

// epochEnd runs a function at OnEpochEnd.
type epochEnd struct {
	train.Base
	fn func(t *train.Trainer, epoch int)
}

func (e *epochEnd) OnEpochEnd(t *train.Trainer, epoch int, _ train.Logs) error {
	e.fn(t, epoch)
	return nil
}
