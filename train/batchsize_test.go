package train_test

import (
	"context"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// Any batch size at Fit: a model built for batches of 16 trains with
// BatchSize 10 on 75 samples: 8 steps (7 of 10, the last of 5, kept); the
// programs for 10 and 5 share the model's parameters (its tensors are the
// trained ones) and one optimizer state. DropLast gives 7 steps.
func TestFitAnyBatchSize(t *testing.T) {
	tr, val := moons(t, 100, 0.1, 3) // 75 training samples, 25 validation
	for _, c := range []struct {
		dropLast bool
		steps    int
	}{{false, 8}, {true, 7}} {
		m := must(moonsNet(16))
		w0 := m.Params[0].Value().(*tensor.Dense).Clone().(*tensor.Dense)
		opt := must(optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01}))
		tn := must(train.NewTrainer(m, train.Config{Epochs: 2, Train: tr, Validation: val, BatchSize: 10, DropLast: c.dropLast,
			Optimizer: opt, Rebuild: moonsNet, Seed: 1}))
		h, err := tn.Fit(context.Background())
		if err != nil {
			t.Fatalf("%+v", err)
		}
		if got := h.Epochs[0].Steps; got != c.steps || tn.Step() != 2*c.steps {
			t.Errorf("DropLast %v: %d steps per epoch, %d in all, want %d", c.dropLast, got, tn.Step(), c.steps)
		}
		w := m.Params[0].Value().(*tensor.Dense)
		if w.Data().([]float64)[0] == w0.Data().([]float64)[0] {
			t.Errorf("DropLast %v: the model's own tensors were not trained", c.dropLast)
		}
		if tn.Params()[0].Value != w {
			t.Errorf("DropLast %v: the last step's parameters are not the model's tensors", c.dropLast)
		}
		// Adam's step count is one per optimizer step whatever the batch size.
		if st := opt.State()["fc1.weight.step"]; st == nil || st.Data().([]float64)[0] != float64(2*c.steps) {
			t.Errorf("DropLast %v: Adam step state %v, want %d", c.dropLast, st, 2*c.steps)
		}
		// Prediction in batches of 10 (10, 10, 5) equals one batch of 25.
		p10 := must(tn.Predict(context.Background(), val.X))
		one := must(train.Predict(context.Background(), m, val.X, train.PredictConfig{BatchSize: 25, Rebuild: moonsNet}))
		for i, v := range one.Data().([]float64) {
			if math.Abs(v-p10.Data().([]float64)[i]) > 1e-12 {
				t.Fatalf("row %d: batch of 25 gives %v, batches of 10 %v", i, v, p10.Data().([]float64)[i])
			}
		}
		tn.Close()
	}
}

// Predict on a trained model needs no optimizer, no loss and no target
// (it used to say "train: no optimizer"); Classes and Probabilities turn
// the logits into what a user asks for.
func TestPredictWithoutOptimizer(t *testing.T) {
	m := must(models.Build("mlp", models.Config{Batch: 4, Seed: 1}))
	x, _ := m.SampleBatch(2)
	rows := must(x.Slice(G.S(0, 3))).(*tensor.Dense).Materialize().(*tensor.Dense) // 3 samples: not the model's 4
	out, err := train.Predict(context.Background(), m, rows, train.PredictConfig{})
	if err != nil {
		t.Fatalf("%+v", err)
	}
	if !out.Shape().Eq(tensor.Shape{3, 10}) {
		t.Fatalf("output shape %v", out.Shape())
	}
	cls := must(train.Classes(out))
	probs := must(train.Probabilities(out))
	for i := 0; i < 3; i++ {
		row := out.Data().([]float64)[i*10 : i*10+10]
		best, sum := 0, 0.0
		for j := range row {
			if row[j] > row[best] {
				best = j
			}
			sum += probs.Data().([]float64)[i*10+j]
		}
		if cls.Data().([]int64)[i] != int64(best) || math.Abs(sum-1) > 1e-12 {
			t.Errorf("row %d: class %d (want %d), probabilities sum to %v", i, cls.Data().([]int64)[i], best, sum)
		}
	}
	bin := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float64{-1, 0.5, 0}))
	if c := must(train.Classes(bin)).Data().([]int64); c[0] != 0 || c[1] != 1 || c[2] != 0 {
		t.Errorf("binary classes %v", c)
	}
	if p := must(train.Probabilities(bin)).Data().([]float64); p[2] != 0.5 {
		t.Errorf("sigmoid(0) = %v", p[2])
	}
	if _, err := train.Classes(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))); err == nil {
		t.Error("Classes of a vector succeeded")
	}
}

// Models without targets train: Y nil used to panic with a nil pointer
// dereference, a declared but unused y failed with `bind: no input named
// "y"`.
func TestFitWithoutTargets(t *testing.T) {
	tr, _ := moons(t, 100, 0.1, 3)
	x4 := func(n int) *tensor.Dense { // 4 features: the two moons coordinates twice
		d := make([]float64, n*4)
		src := tr.X.Data().([]float64)
		for i := 0; i < n; i++ {
			d[i*4], d[i*4+1], d[i*4+2], d[i*4+3] = src[2*i], src[2*i+1], -src[2*i], src[2*i+1]
		}
		return tensor.New(tensor.WithShape(n, 4), tensor.WithBacking(d))
	}
	trX := must(tr.Subset("train", seq(tr.Len())))
	trX.X = x4(tr.Len())
	for _, declareY := range []bool{false, true} {
		m := must(autoencoder(15, declareY))
		opt := must(optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01}))
		h, err := train.Fit(context.Background(), m, train.Config{Epochs: 20, Train: trX, Optimizer: opt, Seed: 1,
			Rebuild: func(b int) (*models.Model, error) { return autoencoder(b, declareY) }})
		if err != nil {
			t.Fatalf("declared y %v: %+v", declareY, err)
		}
		if first, last := h.Epochs[0].Values["loss"], h.Last()["loss"]; !(last < first) {
			t.Errorf("declared y %v: loss %v -> %v", declareY, first, last)
		}
	}
}

// A model whose batch size cannot be rebuilt fails at NewTrainer, naming
// the way out, instead of silently dropping samples.
func TestFitPartialBatchNeedsRebuild(t *testing.T) {
	tr, _ := moons(t, 100, 0.1, 3) // 75 samples, batches of 16
	_, err := train.NewTrainer(must(moonsNet(16)), train.Config{Epochs: 1, Train: tr,
		Optimizer: must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1}))})
	if !errorHas(err, "batch of 11", "DropLast") {
		t.Errorf("error = %v", err)
	}
}

// Batch norm's running statistics are one set whatever the batch size: a
// step on the last partial batch (on the copy built for it) updates the
// model's buffers too.
func TestPartialBatchUpdatesBuffers(t *testing.T) {
	m := must(models.Build("mlpbn", models.Config{Batch: 8, Seed: 1}))
	d := must(data.Friedman1(20, 100, 0.1, 1)) // 8 + 8 + 4
	before := m.Buffers[0].Value().Clone().(*tensor.Dense)
	opt := must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.01}))
	if _, err := train.Fit(context.Background(), m, train.Config{Epochs: 2, Train: d, Optimizer: opt, NoShuffle: true}); err != nil {
		t.Fatalf("%+v", err)
	}
	var count int64 = -1
	for _, b := range m.Buffers {
		if strings.HasSuffix(b.Name, "num_batches_tracked") {
			count = b.Value().Data().(int64)
		}
	}
	if count != 6 {
		t.Errorf("num_batches_tracked %d after 2 epochs of 3 batches, want 6", count)
	}
	if m.Buffers[0].Value().Data().([]float64)[0] == before.Data().([]float64)[0] {
		t.Error("running_mean did not move")
	}
}
