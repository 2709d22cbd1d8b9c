package expr

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// needOps skips t until the ops helper has registered names.
func needOps(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, ok := ops.Lookup(n); !ok {
			t.Skipf("op %q is not registered yet", n)
		}
	}
}

// randDense returns a seeded tensor of shape with entries in [lo, hi].
func randDense(rng *rand.Rand, lo, hi float64, shape ...int) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := make([]float64, n)
	for i := range data {
		data[i] = lo + (hi-lo)*rng.Float64()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// fixture is a graph built from an expression over parameters holding
// copies of the given tensors, plus scalar inputs.
type fixture struct {
	g    *G.ExprGraph
	vars map[string]*G.Node
	vals map[string][]float64 // the backing data of each variable
	out  *G.Node
}

func newFixture(t *testing.T, src string, in map[string]*tensor.Dense, scalars map[string]float64) *fixture {
	t.Helper()
	e, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	walk(e.root, func(u *term) {
		if u.kind == callKind {
			needOps(t, u.name)
		}
	})
	f := &fixture{g: G.NewGraph(), vars: map[string]*G.Node{}, vals: map[string][]float64{}}
	for name, v := range in {
		c := v.Clone().(*tensor.Dense)
		n, err := compiler.NewParam(f.g, name, c)
		if err != nil {
			t.Fatal(err)
		}
		f.vars[name], f.vals[name] = n, c.Data().([]float64)
	}
	for name, v := range scalars {
		f.vars[name] = G.NewScalar(f.g, tensor.Float64, G.WithName(name), G.WithValue(v))
	}
	if f.out, err = Build(f.g, e, f.vars); err != nil {
		t.Fatalf("Build(%q): %v", src, err)
	}
	return f
}

// loss returns sum(out) (out itself when it is a scalar).
func (f *fixture) loss(t *testing.T) *G.Node {
	t.Helper()
	if f.out.IsScalar() {
		return f.out
	}
	l, err := G.Sum(f.out)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// run evaluates the graph once.
func run(t *testing.T, g *G.ExprGraph) {
	t.Helper()
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
}

// values returns the float64 data of a node's value.
func values(t *testing.T, n *G.Node) []float64 {
	t.Helper()
	switch v := n.Value().(type) {
	case *tensor.Dense:
		return append([]float64(nil), v.Data().([]float64)...)
	case G.Scalar:
		return []float64{v.Data().(float64)}
	}
	t.Fatalf("node %v has value %T", n, n.Value())
	return nil
}

// numericGrad returns d sum(out) / d name by central differences over a
// fresh forward-only graph built from the same source and values.
func numericGrad(t *testing.T, src string, in map[string]*tensor.Dense, name string) []float64 {
	t.Helper()
	f := newFixture(t, src, in, nil)
	l := f.loss(t)
	m := G.NewTapeMachine(f.g)
	defer m.Close()
	eval := func() float64 {
		m.Reset()
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		return values(t, l)[0]
	}
	const h = 1e-6
	data := f.vals[name]
	grad := make([]float64, len(data))
	for i := range data {
		x := data[i]
		data[i] = x + h
		up := eval()
		data[i] = x - h
		down := eval()
		data[i] = x
		grad[i] = (up - down) / (2 * h)
	}
	return grad
}

// symbolicGrads returns G.Grad of sum(out) for every variable of in.
func symbolicGrads(t *testing.T, src string, in map[string]*tensor.Dense) map[string][]float64 {
	t.Helper()
	f := newFixture(t, src, in, nil)
	l := f.loss(t)
	names := make([]string, 0, len(in))
	nodes := make(G.Nodes, 0, len(in))
	for name := range in {
		names = append(names, name)
		nodes = append(nodes, f.vars[name])
	}
	grads, err := G.Grad(l, nodes...)
	if err != nil {
		t.Fatalf("Grad(%q): %v", src, err)
	}
	run(t, f.g)
	out := map[string][]float64{}
	for i, name := range names {
		out[name] = values(t, grads[i])
	}
	return out
}

// valueCase is an expression, the values of its variables and the
// values it computes.
type valueCase struct {
	src  string
	in   map[string]*tensor.Dense
	want []float64
}

// checkValues builds and runs each case's expression and compares its
// output with want.
func checkValues(t *testing.T, cases []valueCase) {
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			f := newFixture(t, c.src, c.in, nil)
			run(t, f.g)
			assertClose(t, c.src, values(t, f.out), c.want, 1e-12)
		})
	}
}

// gradCase is an expression and the values of its variables.
type gradCase struct {
	src string
	in  map[string]*tensor.Dense
}

// checkGradients compares, for each case, the symbolic gradient of
// sum(expression) with respect to every variable with central
// differences.
func checkGradients(t *testing.T, cases []gradCase) {
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			sym := symbolicGrads(t, c.src, c.in)
			for name := range c.in {
				assertClose(t, "d/d"+name, sym[name], numericGrad(t, c.src, c.in, name), 1e-6)
			}
		})
	}
}

func closeTo(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*(1+math.Abs(b))
}

func assertClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values %v, want %d %v", what, len(got), got, len(want), want)
	}
	for i := range got {
		if !closeTo(got[i], want[i], tol) {
			t.Fatalf("%s: element %d is %.10g, want %.10g\ngot  %v\nwant %v", what, i, got[i], want[i], got, want)
		}
	}
}
