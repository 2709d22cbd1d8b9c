package ops_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// ExampleCrossEntropy computes a cross-entropy at logits where a naive
// softmax overflows, and its gradient (softmax - onehot)/B.
func ExampleCrossEntropy() {
	g := G.NewGraph()
	x, _ := compiler.NewParam(g, "logits", tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1000, 1000, -1000})))
	c, _ := compiler.NewInput(g, "class", tensor.Int64, 1)
	loss, _ := ops.CrossEntropy(x, c)
	prog, _ := compiler.Compile(loss, []*G.Node{x})
	defer prog.Close()
	_ = prog.Bind("class", tensor.New(tensor.WithShape(1), tensor.WithBacking([]int64{0})))
	_ = prog.RunTrain()
	fmt.Printf("loss %.4f\n", prog.Loss())
	fmt.Printf("grad %.2f\n", prog.Params()[0].Grad.Float64s())
	// Output:
	// loss 0.6931
	// grad [-0.50 0.50 0.00]
}
