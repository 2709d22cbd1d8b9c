package compiler_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
	"github.com/symgrad/symgrad/optimizers"
)

// Fit y = 2x - 1 with one weight and one bias (the README's quickstart,
// examples/quickstart, does it with a Linear layer).
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

// Compile a model's output alone for inference: no loss, no gradients, and
// only the inputs the output reads need binding.
func ExampleCompileInference() {
	g := G.NewGraph()
	x, _ := compiler.NewInput(g, "x", tensor.Float64, 2, 1)
	w, _ := compiler.NewParam(g, "w", tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{2})))
	pred, _ := ops.Tanh(G.Must(G.Mul(x, w)))

	prog, err := compiler.CompileInference([]*G.Node{pred}, []*G.Node{w})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer prog.Close()
	fmt.Println(prog.RunInference()) // x was never bound
	_ = prog.Bind("x", tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{0, 1})))
	if err := prog.RunInference(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", prog.Output(0).Data())
	// Output:
	// inference run: input "x" (2, 1) never bound (call Bind before the first run)
	// [0.0000 0.9640]
}
