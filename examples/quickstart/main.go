package main

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
	"github.com/symgrad/symgrad/optimizers"
)

func main() {
	// The forward graph: pred = x W^T + b, a Linear(1, 1) layer; MSE loss.
	g := G.NewGraph()
	x, err := compiler.NewInput(g, "x", tensor.Float64, 4, 1)
	check(err)
	y, err := compiler.NewInput(g, "y", tensor.Float64, 4, 1)
	check(err)
	fc, err := models.NewLinear(g, "fc", 1, 1, tensor.Float64, models.NewRNG(1))
	check(err)
	pred, err := fc.Forward(x)
	check(err)
	loss, err := ops.MSE(pred, y)
	check(err)

	// Compile: validation, rewrites, the symbolic gradient subgraph.
	prog, err := compiler.Compile(loss, fc.Params(), compiler.WithOutputs(pred))
	check(err)
	defer prog.Close()
	check(prog.Bind("x", tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{0, 1, 2, 3}))))
	check(prog.Bind("y", tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{-1, 1, 3, 5}))))

	// Train: forward + symbolic backward, then an SGD step.
	sgd, err := optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1})
	check(err)
	params := optimizers.ParamsOf(prog)
	for step := 0; step < 200; step++ {
		check(prog.RunTrain())
		check(sgd.Step(params))
	}
	w, b := fc.Weight.Value().Data().([]float64)[0], fc.Bias.Value().Data().([]float64)[0]
	fmt.Printf("loss %.6f, pred = %.3f x %+.3f (y = 2x - 1)\n", prog.Loss(), w, b)
	fmt.Println(prog.Text()) // the forward and gradient graphs, one node per line
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
