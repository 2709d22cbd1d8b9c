// Command digits is the README's digits MLP: scikit-learn's 8x8 digits,
// nn.Sequential(Linear(64, 128), ReLU(), Linear(128, 10)), Adam, 20
// epochs of batches of 32, test accuracy, a checkpoint PyTorch loads with
// load_state_dict. digits_torch.py is the same program in PyTorch; the
// test counts both programs' lines (Go at most twice PyTorch's).
//
//	go run ./examples/digits   # from the repository's root; writes digits.safetensors
package main

import (
	"context"
	"errors"
	"fmt"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// build is the network for batches of n samples (Gorgonia's shapes are
// static; the trainer calls it once per batch size it meets).
func build(n int) (*models.Model, error) {
	m, err := models.New("digits", models.Config{Batch: n, Seed: 1}, 64)
	if err != nil {
		return nil, err
	}
	fc1, err1 := m.Linear("fc1", 64, 128)
	fc2, err2 := m.Linear("fc2", 128, 10)
	if err := errors.Join(err1, err2, m.Targets(tensor.Int64)); err != nil {
		return nil, err
	}
	return m, m.SetLoss(models.NewSequential(fc1, models.ReLU(), fc2), ops.CrossEntropy)
}

func main() {
	d, err := data.LoadSklearnDigits("data/testdata/sklearn/digits.csv.gz")
	check(err)
	sp, err := data.Split(d, data.SplitConfig{Test: 0.2, Seed: 1, Stratify: true})
	check(err)
	m, err := build(32)
	check(err)
	opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: 1e-3})
	check(err)
	t, err := train.NewTrainer(m, train.Config{Epochs: 20, Train: sp.Train, Optimizer: opt, Seed: 1,
		Rebuild: build, Metrics: []train.Metric{train.Accuracy()}})
	check(err)
	_, err = t.Fit(context.Background())
	check(err)
	logs, err := t.Evaluate(context.Background(), sp.Test)
	check(err)
	fmt.Printf("test accuracy %.3f\n", logs["accuracy"])
	check(models.SaveCheckpoint("digits.safetensors", m, nil, nil))
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
