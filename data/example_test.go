package data_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/safetensors"
)

// The usual pipeline: generate, split (stratified), standardize with the
// training statistics, then iterate over shuffled mini-batches.
func Example() {
	// Two interleaving half circles, 1000 points, noise 0.1, seed 1.
	moons, err := data.TwoMoons(1000, 0.1, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(moons)

	// 70% train, 10% validation, 20% test, class proportions kept.
	sp, err := data.Split(moons, data.SplitConfig{Val: 0.1, Test: 0.2, Seed: 1, Stratify: true})
	if err != nil {
		panic(err)
	}
	fmt.Println("train", sp.Train.ClassCounts(), "val", sp.Val.ClassCounts(), "test", sp.Test.ClassCounts())

	// Mean 0 and standard deviation 1 per feature, measured on train only.
	sp, scaler, err := data.StandardizeSplits(sp, data.PerFeature)
	if err != nil {
		panic(err)
	}
	fmt.Printf("train mean %.2f, scale %.2f\n", scaler.Mean, scaler.Scale)

	// Batches of 64; the last one of each epoch has 700 mod 64 = 60 samples.
	b, err := data.NewBatcher(sp.Train, data.BatchConfig{Size: 64, Shuffle: true, Seed: 1})
	if err != nil {
		panic(err)
	}
	for epoch := 0; epoch < 2; epoch++ {
		batches := 0
		for b.Next() {
			batches++
			if batches == b.BatchesPerEpoch() {
				fmt.Printf("epoch %d: %d batches, last X %v Y %v\n", epoch, batches, b.X().Shape(), b.Y().Shape())
			}
		}
	}
	// Output:
	// moons: X (1000, 2) float64, Y (1000) int64, classes [outer inner]
	// train [350 350] val [50 50] test [100 100]
	// train mean [0.50 0.24], scale [0.86 0.50]
	// epoch 0: 11 batches, last X (60, 2) Y (60)
	// epoch 1: 11 batches, last X (60, 2) Y (60)
}

// A CSV file with a header, a string class column in the middle, and the
// features around it.
func ExampleReadCSV() {
	text := `sepal_length,species,petal_length
5.1,setosa,1.4
7.0,versicolor,4.7
6.3,virginica,6.0
4.9,setosa,1.4
`
	d, err := data.ReadCSV(strings.NewReader(text), "flowers.csv", data.CSVConfig{
		Header:  true,
		Target:  data.ColumnNamed("species"),
		Classes: true,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(d)
	fmt.Println("features", d.FeatureNames, "labels", d.Y.Data())

	// Errors give the file, line and column.
	_, err = data.ReadCSV(strings.NewReader("1,2\n3,x\n"), "bad.csv", data.CSVConfig{})
	fmt.Println(err)
	// Output:
	// flowers.csv: X (4, 2) float64, Y (4) int64, classes [setosa versicolor virginica]
	// features [sepal_length petal_length] labels [0 1 2 0]
	// data: bad.csv:2:3: field 2: "x": not a finite number
}

// Images for a CNN, flattened for an MLP.
func ExampleShapes() {
	img, err := data.Shapes(data.ShapesConfig{N: 100, Noise: 0.05, Seed: 1})
	if err != nil {
		panic(err)
	}
	flat, err := img.Flatten()
	if err != nil {
		panic(err)
	}
	fmt.Println(img)
	fmt.Println(flat.X.Shape(), img.ClassCounts())
	// Output:
	// shapes: X (100, 1, 28, 28) float64, Y (100) int64, classes [square circle triangle cross]
	// (100, 784) [25 25 25 25]
}

// The last partial batch is kept (a smaller tensor) or dropped.
func ExampleBatcher() {
	d, _ := data.SineRegression(10, 0, 1)
	for _, drop := range []bool{false, true} {
		b, _ := data.NewBatcher(d, data.BatchConfig{Size: 4, DropLast: drop})
		var batches []string
		for b.Next() {
			batches = append(batches, fmt.Sprintf("%v %v", b.Indices(), b.X().Shape()))
		}
		fmt.Println(strings.Join(batches, ", "))
	}
	// Output:
	// [0 1 2 3] (4, 1), [4 5 6 7] (4, 1), [8 9] (2, 1)
	// [0 1 2 3] (4, 1), [4 5 6 7] (4, 1)
}

// Class indices to one-hot rows, and to the float column a binary loss wants.
func ExampleOneHot() {
	d, _ := data.XOR(4, 0, 5)
	oh, _ := data.OneHot(d.Y, 2, d.Dtype())
	bin, _ := d.FloatTargets()
	fmt.Println(d.Y.Data(), oh.Data(), bin.Y.Shape())
	// Output:
	// [0 0 1 1] [1 0 1 0 0 1 0 1] (4, 1)
}

// Load a dataset that PyTorch saved with
// safetensors.torch.save_file({"x": x, "y": y}, path).
func ExampleLoadSafetensors() {
	dir, _ := os.MkdirTemp("", "st")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "pairs.safetensors")
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{0, 0, 0, 1, 1, 0, 1, 1}))
	y := tensor.New(tensor.WithShape(4), tensor.WithBacking([]int64{0, 1, 1, 0}))
	if err := safetensors.Write(path, map[string]*tensor.Dense{"x": x, "y": y}, nil); err != nil {
		panic(err)
	}
	d, err := data.LoadSafetensors(path, "x", "y")
	if err != nil {
		panic(err)
	}
	fmt.Println(d)
	// Output:
	// pairs.safetensors: X (4, 2) float32, Y (4) int64
}
