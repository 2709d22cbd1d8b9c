package ops_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/gradcheck"
)

// The scaffolding of the direct tests: graphs built from a few named
// inputs, compiled and run once, and the conversions of their values.

// arg is one input of a direct test graph.
type arg struct {
	name   string
	shape  []int
	values []float64
	param  bool // differentiated
	ints   bool // int64 (class indices)
}

// leaves is the input nodes of a test graph in order, the params among
// them and the values to bind to the others.
type leaves struct {
	nodes, params []*G.Node
	binds         map[string]*tensor.Dense
}

// newLeaves makes args' nodes in g: an int64 input (class indices) for an
// ints arg, a param of dtype dt holding the values for a param arg, and
// otherwise an input of dtype dt to be bound to the values.
func newLeaves(g *G.ExprGraph, dt tensor.Dtype, args []arg) (*leaves, error) {
	l := &leaves{binds: map[string]*tensor.Dense{}}
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
			l.binds[a.name] = tensor.New(tensor.WithShape(a.shape...), tensor.WithBacking(v))
		case a.param:
			n, err = compiler.NewParam(g, a.name, denseOf(a.values, a.shape, dt))
			l.params = append(l.params, n)
		default:
			n, err = compiler.NewInput(g, a.name, dt, a.shape...)
			l.binds[a.name] = denseOf(a.values, a.shape, dt)
		}
		if err != nil {
			return nil, err
		}
		l.nodes = append(l.nodes, n)
	}
	return l, nil
}

// compile compiles loss over the params and binds the inputs' values, as
// gradcheck compiles a problem.
func (l *leaves) compile(loss *G.Node, opts ...compiler.Option) (*compiler.Program, error) {
	return (&gradcheck.Problem{Loss: loss, Params: l.params, Inputs: l.binds}).Compile(opts...)
}

// scalarRun compiles fn(nodes) (a scalar) and runs it once in training
// mode; it returns the program (closed by the test), the loss and the
// gradients of the param args.
func scalarRun(t *testing.T, dt tensor.Dtype, args []arg, fn builder) (*compiler.Program, float64, [][]float64) {
	t.Helper()
	g := G.NewGraph()
	l, err := newLeaves(g, dt, args)
	if err != nil {
		t.Fatal(err)
	}
	out, err := fn(g, l.nodes)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := l.compile(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prog.Close() })
	if err := prog.RunTrain(); err != nil {
		t.Fatal(err)
	}
	var grads [][]float64
	for _, p := range prog.Params() {
		grads = append(grads, asFloat64s(p.Grad))
	}
	return prog, prog.Loss(), grads
}

// sumRun is scalarRun of sum(b(nodes)) in float64; it returns the program
// and b's output, whose value the run computed.
func sumRun(t *testing.T, args []arg, b builder) (*compiler.Program, *G.Node) {
	t.Helper()
	var out *G.Node
	prog, _, _ := scalarRun(t, tensor.Float64, args, func(g *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		var err error
		if out, err = b(g, n); err != nil {
			return nil, err
		}
		return G.Sum(out)
	})
	return prog, out
}

// compiled compiles loss over params; the test closes the program.
func compiled(t *testing.T, loss *G.Node, params []*G.Node, opts ...compiler.Option) *compiler.Program {
	t.Helper()
	prog, err := compiler.Compile(loss, params, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prog.Close() })
	return prog
}

// trained compiles loss over params and runs it once in training mode.
func trained(t *testing.T, loss *G.Node, params []*G.Node, opts ...compiler.Option) *compiler.Program {
	t.Helper()
	prog := compiled(t, loss, params, opts...)
	if err := prog.RunTrain(); err != nil {
		t.Fatal(err)
	}
	return prog
}

// evaluationLoss runs prog's loss in evaluation mode (dropout off, batch
// norms on their running statistics) and returns it.
func evaluationLoss(t *testing.T, prog *compiler.Program) float64 {
	t.Helper()
	if err := prog.RunLoss(compiler.Evaluation); err != nil {
		t.Fatal(err)
	}
	return prog.Loss()
}

// mustParam is a zero float64 parameter of the given shape (tests only).
func mustParam(g *G.ExprGraph, name string, shape ...int) *G.Node {
	return paramOf(g, name, make([]float64, tensor.Shape(shape).TotalSize()), shape...)
}

// paramOf is a float64 parameter holding a copy of values (tests only).
func paramOf(g *G.ExprGraph, name string, values []float64, shape ...int) *G.Node {
	n, err := compiler.NewParam(g, name, denseOf(values, shape, tensor.Float64))
	if err != nil {
		panic(err)
	}
	return n
}

// mustInput is an input of the given dtype and shape (tests only).
func mustInput(g *G.ExprGraph, name string, dt tensor.Dtype, shape ...int) *G.Node {
	n, err := compiler.NewInput(g, name, dt, shape...)
	if err != nil {
		panic(err)
	}
	return n
}

// scalarOf is a scalar constant v of dtype dt (float64 or float32).
func scalarOf(g *G.ExprGraph, v float64, dt tensor.Dtype) *G.Node {
	if dt == tensor.Float32 {
		return compiler.MustConstant(g, float32(v))
	}
	return compiler.MustConstant(g, v)
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

// converted is a copy of v with each element converted to To.
func converted[To, From float32 | float64](v []From) []To {
	out := make([]To, len(v))
	for i, x := range v {
		out[i] = To(x)
	}
	return out
}

// denseOf is a tensor of dtype dt (float64 or float32) holding a copy of v.
func denseOf(v []float64, shape []int, dt tensor.Dtype) *tensor.Dense {
	if dt == tensor.Float32 {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(converted[float32](v)))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(converted[float64](v)))
}

// asFloat64s is a copy of a float tensor's elements in float64 (nil for
// other dtypes).
func asFloat64s(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return converted[float64](d)
	case []float32:
		return converted[float64](d)
	}
	return nil
}

// valueFloats is a float value's elements in float64, a scalar's as one.
func valueFloats(v G.Value) []float64 {
	switch x := v.(type) {
	case *G.F64:
		return []float64{float64(*x)}
	case *G.F32:
		return []float64{float64(*x)}
	case *tensor.Dense:
		return asFloat64s(x)
	}
	return nil
}
