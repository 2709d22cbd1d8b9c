package ops_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// ExampleAdd adds a bias row to a batch with PyTorch's broadcasting, then
// shows the error for shapes that do not broadcast.
func ExampleAdd() {
	g := G.NewGraph()
	x, _ := compiler.NewParam(g, "x", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6})))
	b, _ := compiler.NewParam(g, "b", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{10, 20, 30})))
	y, err := ops.Add(x, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	z, _ := ops.Mul(2, y) // Go numbers are scalars of the other operand's dtype
	fmt.Println(z.Shape())
	w, _ := compiler.NewParam(g, "W", tensor.New(tensor.WithShape(2, 2), tensor.Of(tensor.Float64)))
	_, err = ops.Add(x, w)
	fmt.Println(err)
	// Output:
	// (2, 3)
	// ops.Add of x (2, 3) and W (2, 2): the shapes do not broadcast: axis 1: size 3 against 2
}

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

// ExampleCrossEntropyWith is PyTorch's
// F.cross_entropy(x, c, weight=w, ignore_index=-100, label_smoothing=0.1):
// the second target is ignored, the mean divides by the weight of the first
// (the numbers are PyTorch 1.13's).
func ExampleCrossEntropyWith() {
	g := G.NewGraph()
	x := mustParam(g, "logits", 2, 3)
	c := mustInput(g, "class", tensor.Int64, 2)
	loss, err := ops.CrossEntropyWith(x, c, ops.CrossEntropyOptions{Weight: []float64{2, 1, 1}, LabelSmoothing: 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	prog, _ := compiler.Compile(loss, []*G.Node{x})
	defer prog.Close()
	copy(prog.Params()[0].Value.Float64s(), []float64{2, 0, -1, 0.5, 0.5, 0.5})
	_ = prog.Bind("class", tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{0, -100})))
	_ = prog.RunTrain()
	fmt.Printf("loss %.6f\n", prog.Loss())
	fmt.Printf("grad %.4f\n", prog.Params()[0].Grad.Float64s())
	// Output:
	// loss 0.247518
	// grad [-0.1177 0.0937 0.0239 0.0000 0.0000 0.0000]
}

// ExampleIdentify tells ops apart by kind, whoever defined them and
// however they print.
func ExampleIdentify() {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"))
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 3), G.WithName("w"))
	gemm, _ := ops.Gemm(x, w, false, true)
	sum := G.Must(G.Sum(x, 1))
	relu, _ := ops.LeakyReLU(x, 0.1)
	for _, n := range []*G.Node{gemm, sum, relu, x} {
		id := ops.Identify(n)
		fmt.Println(id.Kind, id.TransB, id.Axes, id.Kind == ops.KindElementwise && id.Name == "leakyrelu(0.1)")
	}
	// Output:
	// gemm true [] false
	// sum false [1] false
	// elementwise false [] true
	// unknown false [] false
}

// ExampleClassInput finds the class indices a loss reads, and how many
// classes they index.
func ExampleClassInput() {
	g := G.NewGraph()
	logits := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 5), G.WithName("logits"))
	c, _ := compiler.NewInput(g, "c", tensor.Int64, 4)
	loss, _ := ops.CrossEntropy(logits, c)
	classes, count, ok := ops.ClassInput(loss)
	fmt.Println(classes.Name(), count, ok)
	// Output:
	// c 5 true
}

// twoMirrors is a BatchNormSync of two shards holding the same rows: the
// average of two equal vectors leaves them as they are.
type twoMirrors struct{}

func (twoMirrors) Shards() int                                { return 2 }
func (twoMirrors) Average(ops.SyncPoint, *tensor.Dense) error { return nil }

// ExampleBatchNormSync synchronizes a batch norm found in the graph with
// BatchNormLayers: its running variance then takes the unbiased variance
// over the 2·4 values of both shards, 8/7 of the biased one (alone: 4/3).
func ExampleBatchNormSync() {
	g := G.NewGraph()
	x, _ := compiler.NewParam(g, "x", tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{1, 2, 3, 4})))
	y, _ := ops.BatchNorm(x, nil, nil, nil)
	layers := ops.BatchNormLayers(g)
	layers[0].Sync = twoMirrors{} // before compiling
	loss := G.Must(G.Sum(G.Must(G.Square(y))))
	prog, _ := compiler.Compile(loss, []*G.Node{x})
	defer prog.Close()
	_ = prog.RunTrain()
	// biased variance 1.25; running = 0.9·1 + 0.1·1.25·8/7
	fmt.Printf("%d layer, running var %.4f\n", len(layers), layers[0].RunningVar.Float64s()[0])
	// Output:
	// 1 layer, running var 1.0429
}
