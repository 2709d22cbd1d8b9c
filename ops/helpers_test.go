package ops_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
)

// arg is one input of a direct test graph.
type arg struct {
	name   string
	shape  []int
	values []float64
	param  bool // differentiated
	ints   bool // int64 (class indices)
}

// scalarRun compiles fn(nodes) (a scalar) and runs it once in training
// mode; it returns the program (closed by the test), the loss and the
// gradients of the param args.
func scalarRun(t *testing.T, dt tensor.Dtype, args []arg, fn func(g *G.ExprGraph, n []*G.Node) (*G.Node, error)) (*compiler.Program, float64, [][]float64) {
	t.Helper()
	g := G.NewGraph()
	var nodes, params []*G.Node
	binds := map[string]*tensor.Dense{}
	for _, a := range args {
		var n *G.Node
		var err error
		switch {
		case a.ints:
			v := make([]int64, len(a.values))
			for i, x := range a.values {
				v[i] = int64(x)
			}
			n, err = compiler.NewInput(g, a.name, tensor.Int64, a.shape...)
			binds[a.name] = tensor.New(tensor.WithShape(a.shape...), tensor.WithBacking(v))
		case a.param:
			n, err = compiler.NewParam(g, a.name, denseOf(a.values, a.shape, dt))
			params = append(params, n)
		default:
			n, err = compiler.NewInput(g, a.name, dt, a.shape...)
			binds[a.name] = denseOf(a.values, a.shape, dt)
		}
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, n)
	}
	out, err := fn(g, nodes)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := compiler.Compile(out, params)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prog.Close() })
	for name, v := range binds {
		if err := prog.Bind(name, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := prog.RunTrain(); err != nil {
		t.Fatal(err)
	}
	var grads [][]float64
	for _, p := range prog.Params() {
		grads = append(grads, asFloat64s(p.Grad))
	}
	return prog, prog.Loss(), grads
}

// near reports |a - b| <= tol·max(1, |b|).
func near(a, b, tol float64) bool {
	return !math.IsNaN(a) && math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// tolFor is the comparison tolerance of a dtype.
func tolFor(dt tensor.Dtype) float64 {
	if dt == tensor.Float32 {
		return 1e-5
	}
	return 1e-12
}
