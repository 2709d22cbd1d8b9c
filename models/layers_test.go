package models

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// layerProgram compiles loss = MSE(net(x), target) for a float64 input x of
// the given shape, binds a seeded x and target, and returns the program.
func layerProgram(t *testing.T, net Layer, g *G.ExprGraph, x *G.Node) *compiler.Program {
	t.Helper()
	out, err := net.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	p := moduleProgram(t, g, out, net.Params())
	if x.Dtype() == tensor.Float64 {
		if err := p.Bind(x.Name(), Uniform(NewRNG(3), tensor.Float64, 1, x.Shape()...)); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// TestLayerGradients checks each layer's parameter gradients numerically
// inside a small network, with strides, padding and 4-d batch norm.
func TestLayerGradients(t *testing.T) {
	dt := tensor.Float64
	for _, tc := range []layerCase{
		{"conv stride 2 pad 1 + avgpool + flatten + linear", []int{2, 2, 7, 7}, func(g *G.ExprGraph, rng *rand.Rand) ([]Layer, error) {
			c, err := NewConv2D(g, "c", 2, 3, [2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, dt, rng)
			if err != nil {
				return nil, err
			}
			l, err := NewLinear(g, "fc", 3*2*2, 2, dt, rng)
			return []Layer{c, ReLU(), NewAvgPool2D([2]int{2, 2}, [2]int{}, [2]int{}), &Flatten{}, l}, err
		}, []int{2, 2}},
		{"conv + batchnorm2d + maxpool", []int{3, 1, 6, 6}, func(g *G.ExprGraph, rng *rand.Rand) ([]Layer, error) {
			c, err := NewConv2D(g, "c", 1, 2, [2]int{3, 3}, [2]int{}, [2]int{}, dt, rng)
			if err != nil {
				return nil, err
			}
			bn, err := NewBatchNorm(g, "bn", 2, dt)
			return []Layer{c, bn, NewMaxPool2D([2]int{2, 2}, [2]int{})}, err
		}, []int{3, 2, 2, 2}},
		{"linear + dropout(0) + batchnorm1d", []int{4, 5}, func(g *G.ExprGraph, rng *rand.Rand) ([]Layer, error) {
			l, err := NewLinear(g, "fc", 5, 3, dt, rng)
			if err != nil {
				return nil, err
			}
			d, err := NewDropout(0, 1)
			if err != nil {
				return nil, err
			}
			bn, err := NewBatchNorm(g, "bn", 3, dt)
			return []Layer{l, d, bn, &Func{Name: "tanh", Fn: ops.Tanh}}, err
		}, []int{4, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, dt) })
	}
}

// TestEmbedding checks the lookup against the weight's rows and the
// gradient numerically, for [N] and [B, T] indices.
func TestEmbedding(t *testing.T) {
	g := G.NewGraph()
	idx, err := compiler.NewInput(g, "idx", tensor.Int64, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEmbedding(g, "emb", 5, 4, tensor.Float64, NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	p := layerProgram(t, e, g, idx)
	ids := []int64{4, 0, 2, 2, 1, 4}
	if err := p.Bind("idx", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(ids))); err != nil {
		t.Fatal(err)
	}
	numericCheck(t, p, 20, rand.New(rand.NewPCG(1, 2)))
	out := p.Output(0).(*tensor.Dense)
	if !reflect.DeepEqual([]int(out.Shape()), []int{2, 3, 4}) {
		t.Fatalf("output shape %v, want [2 3 4]", out.Shape())
	}
	w := e.Weight.Value().Data().([]float64)
	for k, i := range ids {
		got := out.Data().([]float64)[k*4 : k*4+4]
		if !reflect.DeepEqual(got, w[i*4:i*4+4]) {
			t.Errorf("row %d (index %d) = %v, want %v", k, i, got, w[i*4:i*4+4])
		}
	}
	if err := p.Bind("idx", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]int64{0, 0, 5, 0, 0, 0}))); err != nil {
		t.Fatal(err)
	}
	if err := p.RunTrain(); err == nil {
		t.Error("an index out of range ran without error")
	}
	if m := maxAbs(e.Weight.Value().(*tensor.Dense)); m < 1 || m > 6 {
		t.Errorf("N(0,1) init: max |w| = %g", m)
	}
}

// TestDropoutAndBatchNormModes checks the train/eval switch: dropout drops
// and rescales in training and is the identity in inference; batch norm
// uses batch statistics in training (updating the running ones and the
// count) and the running statistics in inference.
func TestDropoutAndBatchNormModes(t *testing.T) {
	g := G.NewGraph()
	x, _ := compiler.NewInput(g, "x", tensor.Float64, 8, 50)
	fc, _ := NewLinear(g, "fc", 50, 50, tensor.Float64, NewRNG(1))
	d, _ := NewDropout(0.5, 7)
	p := layerProgram(t, NewSequential(fc, d), g, x)
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
	zeros := 0
	for _, v := range p.Output(0).Data().([]float64) {
		if v == 0 {
			zeros++
		}
	}
	if zeros < 100 || zeros > 300 {
		t.Errorf("dropout(0.5) zeroed %d of 400 in training", zeros)
	}
	if err := p.RunInference(); err != nil {
		t.Fatal(err)
	}
	for _, v := range p.Output(0).Data().([]float64) {
		if v == 0 {
			t.Fatal("dropout zeroed an element in inference")
		}
	}
	if _, err := NewDropout(1, 0); err == nil {
		t.Error("NewDropout(1) succeeded")
	}

	m, _ := Build("mlpbn", Config{Batch: 4})
	pm := compileWithBatch(t, m, 1)
	if err := pm.RunInference(); err != nil { // running stats: mean 0, var 1
		t.Fatal(err)
	}
	fresh := append([]float64(nil), pm.Output(0).Data().([]float64)...)
	for range 3 {
		if err := pm.RunTrain(); err != nil {
			t.Fatal(err)
		}
	}
	st := m.StateDict()
	if n := st[6].Tensor.Data().(int64); n != 3 {
		t.Errorf("num_batches_tracked = %d after 3 training runs, want 3", n)
	}
	if maxAbs(st[4].Tensor) == 0 {
		t.Error("running_mean did not move in training")
	}
	if err := pm.RunInference(); err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(fresh, pm.Output(0).Data().([]float64)) {
		t.Error("inference output did not change with the running statistics")
	}
	if math.IsNaN(pm.Output(0).Data().([]float64)[0]) {
		t.Error("NaN output")
	}
}

// layerCase is a stack of layers on an input of shape xShape, with the
// output shape it must give.
type layerCase struct {
	name    string
	xShape  []int
	build   func(g *G.ExprGraph, rng *rand.Rand) ([]Layer, error)
	outWant []int
}

// check builds the case in dtype dt, checks the output shape, and checks
// the gradients numerically (layerProgram's MSE loss).
func (tc layerCase) check(t *testing.T, dt tensor.Dtype) {
	t.Helper()
	g := G.NewGraph()
	x, err := compiler.NewInput(g, "x", dt, tc.xShape...)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := tc.build(g, NewRNG(2))
	if err != nil {
		t.Fatal(err)
	}
	p := layerProgram(t, NewSequential(layers...), g, x)
	if got := []int(p.Outputs()[0].Shape()); !reflect.DeepEqual(got, tc.outWant) {
		t.Errorf("output shape %v, want %v", got, tc.outWant)
	}
	numericCheck(t, p, 40, rand.New(rand.NewPCG(1, 2)))
}
