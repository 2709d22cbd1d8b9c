package models

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/ops"
)

// The package tests' shared scaffolding: graph leaves, programs compiled
// around layers and zoo models, the numeric gradient check, and readers of
// tensor values. Programs made here are closed when the test ends.

// newInput adds the data input name [shape] of dtype dt to g.
func newInput(t testing.TB, g *G.ExprGraph, name string, dt tensor.Dtype, shape ...int) *G.Node {
	t.Helper()
	x, err := compiler.NewInput(g, name, dt, shape...)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// seqInput is a float64 param x [shape] drawn from seed (a param so that
// its gradient is checked too).
func seqInput(t *testing.T, g *G.ExprGraph, name string, seed uint64, shape ...int) *G.Node {
	t.Helper()
	return newParam(t, g, name, Uniform(NewRNG(seed), tensor.Float64, 1, shape...))
}

// newParam adds the parameter name holding v to g.
func newParam(t testing.TB, g *G.ExprGraph, name string, v *tensor.Dense) *G.Node {
	t.Helper()
	x, err := compiler.NewParam(g, name, v)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// boolNode is a constant bool tensor node.
func boolNode(g *G.ExprGraph, name string, v []bool, shape ...int) *G.Node {
	d := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	return G.NewTensor(g, tensor.Bool, len(shape), G.WithName(name), G.WithShape(shape...), G.WithValue(d))
}

// sumProgram compiles the sum of every element of outs (concatenated
// along axis 1 when there are several) with respect to params, with outs
// as the program's outputs: d sum / d p counts how each element of p
// reaches the outputs.
func sumProgram(t testing.TB, params []*G.Node, outs ...*G.Node) *compiler.Program {
	t.Helper()
	all := outs[0]
	if len(outs) > 1 {
		var err error
		if all, err = ops.Concat(1, outs...); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := ops.SumAlong(all)
	if err != nil {
		t.Fatal(err)
	}
	return compileClosed(t, sum, params, outs...)
}

// compileClosed compiles loss with respect to params with the given
// outputs and closes the program when the test ends.
func compileClosed(t testing.TB, loss *G.Node, params []*G.Node, outs ...*G.Node) *compiler.Program {
	t.Helper()
	p, err := compiler.Compile(loss, params, compiler.WithOutputs(outs...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// moduleProgram compiles loss = MSE(out, target) with respect to params,
// binds a seeded target and returns the program.
func moduleProgram(t *testing.T, g *G.ExprGraph, out *G.Node, params []*G.Node, extra ...*G.Node) *compiler.Program {
	t.Helper()
	y := newInput(t, g, "target", tensor.Float64, out.Shape()...)
	loss, err := ops.MSE(out, y)
	if err != nil {
		t.Fatal(err)
	}
	p := compileClosed(t, loss, params, append([]*G.Node{out}, extra...)...)
	if err := p.Bind("target", Uniform(NewRNG(4), tensor.Float64, 1, out.Shape()...)); err != nil {
		t.Fatal(err)
	}
	return p
}

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
	x := newInput(t, g, "x", dt, tc.xShape...)
	layers, err := tc.build(g, NewRNG(2))
	if err != nil {
		t.Fatal(err)
	}
	p := layerProgram(t, NewSequential(layers...), g, x)
	if got := []int(p.Outputs()[0].Shape()); !reflect.DeepEqual(got, tc.outWant) {
		t.Errorf("output shape %v, want %v", got, tc.outWant)
	}
	numericCheck(t, p, 40, 1, 2)
}

// numericCheck compares every parameter's symbolic gradient (from RunTrain)
// with central differences (L(w+h) - L(w-h)) / 2h, on every element of a
// tensor with at most perParam elements and on perParam elements drawn
// by PCG(seed1, seed2) otherwise. It runs the forward pass in training
// mode, so batch norm uses batch statistics as in the gradient.
func numericCheck(t *testing.T, p *compiler.Program, perParam int, seed1, seed2 uint64) {
	t.Helper()
	const h, atol, rtol = 1e-6, 1e-7, 1e-5
	rng := rand.New(rand.NewPCG(seed1, seed2))
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
	for _, prm := range p.Params() {
		w := prm.Value.Data().([]float64)
		g := append([]float64(nil), prm.Grad.Data().([]float64)...)
		idx := rng.Perm(len(w))
		if len(idx) > perParam {
			idx = idx[:perParam]
		}
		worst := 0.0
		for _, i := range idx {
			orig := w[i]
			w[i] = orig + h
			lp := forwardLoss(t, p)
			w[i] = orig - h
			lm := forwardLoss(t, p)
			w[i] = orig
			num := (lp - lm) / (2 * h)
			diff := math.Abs(num - g[i])
			worst = math.Max(worst, diff)
			if diff > atol+rtol*math.Abs(num) {
				t.Errorf("%s[%d]: symbolic %.10g, numeric %.10g (diff %.3g)", prm.Name, i, g[i], num, diff)
			}
		}
		t.Logf("%-28s %6d elements, %3d checked, worst |diff| %.2g", prm.Name, len(w), len(idx), worst)
	}
}

func forwardLoss(t *testing.T, p *compiler.Program) float64 {
	t.Helper()
	if err := p.RunLoss(compiler.Training); err != nil {
		t.Fatal(err)
	}
	return p.Loss()
}

// zooProgram builds the zoo model name with cfg and compiles it.
func zooProgram(t testing.TB, name string, cfg Config) (*Model, *compiler.Program) {
	t.Helper()
	m, err := Build(name, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, compileModel(t, m)
}

// compileModel compiles m's loss (Model.Compile).
func compileModel(t testing.TB, m *Model) *compiler.Program {
	t.Helper()
	p, err := m.Compile()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// compileWithBatch compiles m and binds a sample batch drawn from seed.
func compileWithBatch(t testing.TB, m *Model, seed uint64) *compiler.Program {
	t.Helper()
	p := compileModel(t, m)
	x, y := m.SampleBatch(seed)
	if err := bindBatch(p, x, y); err != nil {
		t.Fatal(err)
	}
	return p
}

// bindBatch binds a zoo model's batch: samples x and targets y.
func bindBatch(p *compiler.Program, x, y *tensor.Dense) error {
	if err := p.Bind("x", x); err != nil {
		return err
	}
	return p.Bind("y", y)
}

func maxAbs(t *tensor.Dense) float64 {
	m := 0.0
	for _, v := range floats(t) {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// floats returns t's elements as float64s (a copy for float32).
func floats(t *tensor.Dense) []float64 { return floatdense.Float64s(t.Data()) }
