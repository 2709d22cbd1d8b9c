package train_test

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// fitMoonsNet is a user's two-moons run: moonsNet(32) trained on tr with
// Adam (lr 0.02), seed 1, accuracy and validation on val, for cfg.Epochs
// (cfg may also set Replicas and Out). It returns the trained model.
func fitMoonsNet(t testing.TB, tr, val *data.Dataset, cfg train.Config) (*models.Model, *train.History) {
	t.Helper()
	m := must(moonsNet(32))
	cfg.Train, cfg.Validation, cfg.Seed, cfg.Rebuild = tr, val, 1, moonsNet
	cfg.Optimizer = must(optimizers.NewAdam(optimizers.AdamConfig{LR: 0.02}))
	cfg.Metrics = []train.Metric{train.Accuracy()}
	h, err := train.Fit(context.Background(), m, cfg)
	if err != nil {
		t.Fatalf("%+v", err)
	}
	return m, h
}

// A user's run: two moons, standardized, the binary architecture, Adam;
// it reaches >= 97% validation accuracy, and the plain (non-terminal)
// progress output has one line per epoch.
func TestFitBinaryTwoMoons(t *testing.T) {
	tr, val := moons(t, 800, 0.1, 7)
	var out bytes.Buffer
	_, h := fitMoonsNet(t, tr, val, train.Config{Epochs: 30, Out: &out})
	acc := h.Last()["val_accuracy"]
	t.Logf("val size %d (batch 32: %d left over), val accuracy %.4f, val loss %.4f", val.Len(), val.Len()%32, acc, h.Last()["val_loss"])
	if acc < 0.97 {
		t.Errorf("validation accuracy %.4f < 0.97", acc)
	}
	if got, want := h.Epochs[0].Steps, (tr.Len()+31)/32; got != want {
		t.Errorf("steps per epoch %d, want ceil(%d/32) = %d (last partial batch kept)", got, tr.Len(), want)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 30 || strings.ContainsAny(out.String(), "\r\x1b") {
		t.Errorf("plain progress: %d lines (want 30), control characters: %v\n%s", len(lines), strings.ContainsAny(out.String(), "\r\x1b"), out.String())
	}
	if !strings.HasPrefix(lines[29], "Epoch 30/30 [") || !strings.Contains(lines[29], "val_accuracy") || !strings.Contains(lines[29], "steps/s") {
		t.Errorf("last progress line %q", lines[29])
	}
}

// The validation pass counts every sample exactly once: with 50 samples
// and batches of 16 (3 full batches and 2 left over), its loss and
// accuracy equal those of the same weights run as one batch of 50.
func TestEvaluateCountsEverySample(t *testing.T) {
	tr, _ := moons(t, 200, 0.3, 2)
	val := must(tr.Subset("val50", seq(50)))
	m := must(moonsNet(16))
	opt := must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1}))
	tn := must(train.NewTrainer(m, train.Config{Epochs: 2, Train: tr, Optimizer: opt, Rebuild: moonsNet,
		Metrics: []train.Metric{train.Accuracy()}}))
	defer tn.Close()
	if _, err := tn.Fit(context.Background()); err != nil {
		t.Fatalf("%+v", err)
	}
	got := must(tn.Evaluate(context.Background(), val))

	ref := must(moonsNet(50))
	state := map[string]*tensor.Dense{}
	for _, e := range m.StateDict() {
		state[e.Name] = e.Tensor
	}
	if err := ref.LoadStateDict(state); err != nil {
		t.Fatal(err)
	}
	p := must(ref.Compile())
	if err := p.Bind("x", val.X); err != nil {
		t.Fatal(err)
	}
	if err := p.Bind("y", val.Y); err != nil {
		t.Fatal(err)
	}
	if err := p.RunLoss(compiler.Evaluation); err != nil {
		t.Fatal(err)
	}
	acc := train.Accuracy()
	if err := acc.Update(p.Output(0).(*tensor.Dense), val.Y, 50); err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(got["loss"] - p.Loss()); d > 1e-12*math.Abs(p.Loss()) {
		t.Errorf("batched loss %.17g, one-batch loss %.17g", got["loss"], p.Loss())
	}
	if got["accuracy"] != acc.Value() {
		t.Errorf("batched accuracy %v, one-batch accuracy %v", got["accuracy"], acc.Value())
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// The same seed gives a bit-identical history; another seed does not.
func TestFitDeterministic(t *testing.T) {
	run := func(seed uint64) *train.History {
		tr, val := moons(t, 300, 0.2, 5)
		m := must(mlp("moons", "bce", 16, 9, 2, 8, 8, 1))
		opt := must(optimizers.NewMomentum(0.05, 0.9))
		h, err := train.Fit(context.Background(), m, train.Config{Epochs: 4, Train: tr, Validation: val, Optimizer: opt,
			Seed: seed, Metrics: []train.Metric{train.Accuracy()},
			Rebuild: func(b int) (*models.Model, error) { return mlp("moons", "bce", b, 9, 2, 8, 8, 1) }})
		if err != nil {
			t.Fatalf("%+v", err)
		}
		return h
	}
	a, b, c := run(1), run(1), run(2)
	same := func(x, y *train.History) bool {
		for i := range x.Epochs {
			for k, v := range x.Epochs[i].Values {
				if !sameBits(v, y.Epochs[i].Values[k]) {
					return false
				}
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("two runs with seed 1 differ")
	}
	if same(a, c) {
		t.Error("runs with seeds 1 and 2 are identical: the seed is not used")
	}
}

// Configuration mistakes are errors that say what to do.
func TestNewTrainerErrors(t *testing.T) {
	tr, val := moons(t, 100, 0.1, 1)
	raw := must(data.TwoMoons(100, 0.1, 1)) // int64 targets
	opt := must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1}))
	cases := []struct {
		name string
		cfg  train.Config
		want string
	}{
		{"no epochs", train.Config{Train: tr, Optimizer: opt}, "Epochs"},
		{"no optimizer", train.Config{Epochs: 1, Train: tr}, "optimizer"},
		{"batch size", train.Config{Epochs: 1, Train: tr, Optimizer: opt, BatchSize: 8}, "set Config.Rebuild"},
		{"partial batch", train.Config{Epochs: 1, Train: must(tr.Subset("70", seq(70))), Optimizer: opt}, "DropLast"},
		{"int targets", train.Config{Epochs: 1, Train: raw, Optimizer: opt}, "FloatTargets"},
		{"no rebuild", train.Config{Epochs: 1, Train: tr, Validation: val, Optimizer: opt}, "set Config.Rebuild"},
		{"float32", train.Config{Epochs: 1, Train: must(tr.Float32()), Optimizer: opt}, "AsType"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := must(moonsNet(16))
			_, err := train.NewTrainer(m, c.cfg)
			if !errorHas(err, c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// A model reading an input a dataset cannot fill is refused up front,
// naming it, rather than failing at the first step.
func TestFitExtraInputRefused(t *testing.T) {
	tr, _ := moons(t, 100, 0.1, 3)
	m := must(moonsNet(15))
	mask, err := compiler.NewInput(m.Graph, "mask", tensor.Float64, 15, 1)
	if err != nil {
		t.Fatal(err)
	}
	m.Inputs = append(m.Inputs, mask)
	_, err = train.NewTrainer(m, train.Config{Epochs: 1, Train: tr, Rebuild: moonsNet,
		Optimizer: must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1}))})
	if !errorHas(err, "mask") {
		t.Errorf("error = %v, want one naming mask", err)
	}
}

// A cancelled context stops training with the context's error.
func TestFitCancelled(t *testing.T) {
	tr, _ := moons(t, 100, 0.1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	stopAt := &callbackFunc{onBatch: func(b train.Batch) {
		if b.Step == 1 {
			cancel()
		}
	}}
	h, err := train.Fit(ctx, must(moonsNet(16)), train.Config{Epochs: 5, Train: tr, Rebuild: moonsNet,
		Optimizer: must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1})), Callbacks: []train.Callback{stopAt}})
	if !errorHas(err, "context canceled") || len(h.Epochs) != 0 {
		t.Errorf("err %v, %d epochs", err, len(h.Epochs))
	}
}

// callbackFunc runs functions at OnEpochBegin and OnBatchEnd.
type callbackFunc struct {
	train.Base
	onEpoch func(t *train.Trainer, epoch int)
	onBatch func(b train.Batch)
}

func (c *callbackFunc) OnEpochBegin(t *train.Trainer, epoch int) error {
	if c.onEpoch != nil {
		c.onEpoch(t, epoch)
	}
	return nil
}

func (c *callbackFunc) OnBatchEnd(_ *train.Trainer, b train.Batch) error {
	if c.onBatch != nil {
		c.onBatch(b)
	}
	return nil
}

// Multiclass (int64 targets, CrossEntropy, argmax accuracy), float32, and
// a second Fit that trains on (epochs continue, the history grows).
func TestFitMulticlassFloat32AndContinue(t *testing.T) {
	d := must(data.Blobs(300, 4, 3, 1.0, 2))
	d = must(d.Float32())
	sp := must(data.Split(d, data.SplitConfig{Val: 0.2, Seed: 1, Stratify: true}))
	build := func(b int) (*models.Model, error) { return mlpDtype("blobs", "ce", b, 1, tensor.Float32, 4, 16, 3) }
	tn := must(train.NewTrainer(must(build(16)), train.Config{Epochs: 3, Train: sp.Train, Validation: sp.Val, Seed: 1,
		Rebuild: build, Optimizer: must(optimizers.NewAdam(optimizers.AdamConfig{LR: 0.05})),
		Metrics: []train.Metric{train.Accuracy()}}))
	defer tn.Close()
	must(tn.Fit(context.Background()))
	h := must(tn.Fit(context.Background()))
	if len(h.Epochs) != 6 || h.Epochs[5].Epoch != 5 || tn.Epoch() != 6 {
		t.Fatalf("after two fits of 3 epochs: %d records, last epoch %d", len(h.Epochs), h.Epochs[len(h.Epochs)-1].Epoch)
	}
	if acc := h.Last()["val_accuracy"]; acc < 0.9 {
		t.Errorf("float32 multiclass val accuracy %v", acc)
	}
}

// Predict returns one output row per sample, equal to Evaluate's view:
// its binary accuracy on the validation set is the val_accuracy.
func TestPredict(t *testing.T) {
	tr, val := moons(t, 300, 0.1, 4) // 75 validation samples: 4 batches of 16 and 11
	tn := must(train.NewTrainer(must(moonsNet(16)), train.Config{Epochs: 5, Train: tr, Validation: val, Rebuild: moonsNet,
		Optimizer: must(optimizers.NewAdam(optimizers.AdamConfig{LR: 0.02})), Metrics: []train.Metric{train.Accuracy()}}))
	defer tn.Close()
	h := must(tn.Fit(context.Background()))
	out := must(tn.Predict(context.Background(), val.X))
	if !out.Shape().Eq(tensor.Shape{val.Len(), 1}) {
		t.Fatalf("predictions %v for %d samples", out.Shape(), val.Len())
	}
	acc := train.Accuracy()
	if err := acc.Update(out, val.Y, val.Len()); err != nil {
		t.Fatal(err)
	}
	if acc.Value() != h.Last()["val_accuracy"] {
		t.Errorf("accuracy of Predict %v, val_accuracy %v", acc.Value(), h.Last()["val_accuracy"])
	}
	if _, err := tn.Predict(context.Background(), tr.Y); !errorHas(err, "takes x") {
		t.Errorf("predict on targets: %v", err)
	}
}
