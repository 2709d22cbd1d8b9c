package compiler_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
	"github.com/symgrad/symgrad/optimizers"
)

// The README's quickstart: fit y = 2x - 1 with one weight and one bias.
func Example() {
	g := G.NewGraph()
	x, _ := compiler.NewInput(g, "x", tensor.Float64, 4, 1)
	y, _ := compiler.NewInput(g, "y", tensor.Float64, 4, 1)
	w, _ := compiler.NewParam(g, "w", tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{0.5})))
	b, _ := compiler.NewParam(g, "b", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0})))
	pred := G.Must(G.BroadcastAdd(G.Must(G.Mul(x, w)), b, nil, []byte{0}))
	loss, _ := ops.MSE(pred, y)

	// Compile: Gorgonia differentiates the loss symbolically.
	prog, err := compiler.Compile(loss, []*G.Node{w, b}, compiler.WithOutputs(pred))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer prog.Close()
	_ = prog.Bind("x", tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{0, 1, 2, 3})))
	_ = prog.Bind("y", tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{-1, 1, 3, 5})))

	// Train: forward + backward, then an SGD step on the program's tensors.
	sgd, _ := optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1})
	params := optimizers.ParamsOf(prog)
	for step := 0; step < 200; step++ {
		if err := prog.RunTrain(); err != nil {
			fmt.Println(err)
			return
		}
		_ = sgd.Step(params)
	}
	fmt.Printf("loss %.6f, w %.3f, b %.3f\n", prog.Loss(),
		params[0].Value.Data().([]float64)[0], params[1].Value.Data().([]float64)[0])
	// Output: loss 0.000000, w 2.000, b -1.000
}
