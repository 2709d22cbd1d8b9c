package models_test

import (
	"fmt"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
)

// Build a zoo model and list its state dict: PyTorch's names and layouts.
func ExampleBuild() {
	m, err := models.Build("mlpbn", models.Config{Batch: 8, Seed: 1})
	if err != nil {
		panic(err)
	}
	for _, e := range m.StateDict() {
		fmt.Println(e.Name, e.Tensor.Dtype(), e.Tensor.Shape())
	}
	fmt.Println(m.ParamCount(), "parameters")
	// Output:
	// fc1.weight float64 (64, 100)
	// fc1.bias float64 (64)
	// bn1.weight float64 (64)
	// bn1.bias float64 (64)
	// bn1.running_mean float64 (64)
	// bn1.running_var float64 (64)
	// bn1.num_batches_tracked int64 ()
	// fc2.weight float64 (1, 64)
	// fc2.bias float64 (1)
	// 6657 parameters
}

// Train one step, save a checkpoint, and load it into a fresh model.
func ExampleSaveCheckpoint() {
	m, _ := models.Build("simplenet", models.Config{Batch: 4, Seed: 1})
	p, _ := m.Compile()
	x, y := m.SampleBatch(2)
	p.Bind("x", x)
	p.Bind("y", y)
	p.RunTrain()

	dir, _ := os.MkdirTemp("", "ckpt")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "simplenet.safetensors")
	if err := models.SaveCheckpoint(path, m, nil, map[string]string{"epoch": "1"}); err != nil {
		panic(err)
	}

	fresh, _ := models.Build("simplenet", models.Config{Seed: 99})
	if _, err := models.LoadCheckpoint(path, fresh); err != nil {
		panic(err)
	}
	a, _ := m.StateDict()[0].Tensor.At(3, 7)
	b, _ := fresh.StateDict()[0].Tensor.At(3, 7)
	fmt.Println("fc1.weight[3,7] restored:", a == b)
	// Output:
	// fc1.weight[3,7] restored: true
}

// A strict load names the offending tensor and both shapes.
func ExampleLoadCheckpoint() {
	dir, _ := os.MkdirTemp("", "ckpt")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "binary.safetensors")
	small, _ := models.Build("binary", models.Config{})
	models.SaveCheckpoint(path, small, nil, nil)

	other, _ := models.Build("simplenet", models.Config{})
	_, err := models.LoadCheckpoint(path, other)
	fmt.Println(err != nil)
	// Output:
	// true
}

// Build a model by hand, as a PyTorch nn.Module: layers created through
// the model register themselves (no Add), under PyTorch's names.
func ExampleNew() {
	m, err := models.New("net", models.Config{Batch: 8, Seed: 1}, 4)
	if err != nil {
		panic(err)
	}
	fc1, _ := m.Linear("fc1", 4, 16)
	fc2, _ := m.Linear("fc2", 16, 3)
	if err := m.Targets(tensor.Int64); err != nil {
		panic(err)
	}
	if err := m.SetLoss(models.NewSequential(fc1, models.ReLU(), fc2), ops.CrossEntropy); err != nil {
		panic(err)
	}
	fmt.Println(m.StateNames(), m.X.Shape(), m.Y.Shape(), m.Output.Shape())
	// Output:
	// [fc1.weight fc1.bias fc2.weight fc2.bias] (8, 4) (8) (8, 3)
}
