package ops_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// goldenCase is one case of testdata/golden_ops.json, written by
// testdata/gen_golden.py with PyTorch 1.13.
type goldenCase struct {
	Name     string    `json:"name"`
	Op       string    `json:"op"`
	Params   []float64 `json:"params"`
	OutDtype string    `json:"out_dtype"`
	Inputs   []struct {
		Name  string    `json:"name"`
		Kind  string    `json:"kind"` // param, input, int
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	} `json:"inputs"`
	Out struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	} `json:"out"`
	Up    []float64            `json:"up"`
	Grads map[string][]float64 `json:"grads"`
}

func loadGolden(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile("testdata/golden_ops.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Torch string       `json:"torch"`
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < 40 {
		t.Fatalf("only %d golden cases", len(f.Cases))
	}
	return f.Cases
}

// TestGoldenAgainstPyTorch checks the value and the gradient of
// sum(op(inputs) ⊙ up) of the new ops (arithmetic, clamp, selection,
// argmax, cross-entropy options), built through the registry as the
// expression language builds them, against PyTorch 1.13's numbers.
func TestGoldenAgainstPyTorch(t *testing.T) {
	for _, c := range loadGolden(t) {
		t.Run(c.Name, func(t *testing.T) {
			spec, ok := ops.Lookup(c.Op)
			if !ok {
				t.Fatalf("op %q is not registered", c.Op)
			}
			g := G.NewGraph()
			l, err := newLeaves(g, tensor.Float64, goldenArgs(c))
			if err != nil {
				t.Fatal(err)
			}
			out, err := spec.Apply(l.nodes, c.Params)
			if err != nil {
				t.Fatal(err)
			}
			if c.OutDtype == "int64" {
				checkGoldenInts(t, g, out, l, c)
				return
			}
			checkGoldenFloats(t, g, out, l, c)
		})
	}
}

// goldenArgs is the case's inputs; a 0-d param is [1], as the gradcheck
// CLI makes scalar variables (Gorgonia's scalar nodes cannot be
// parameters).
func goldenArgs(c goldenCase) []arg {
	var args []arg
	for _, in := range c.Inputs {
		a := arg{name: in.Name, shape: in.Shape, values: in.Data, param: in.Kind == "param", ints: in.Kind == "int"}
		if a.param && len(a.shape) == 0 {
			a.shape = []int{1}
		}
		args = append(args, a)
	}
	return args
}

func checkGoldenFloats(t *testing.T, g *G.ExprGraph, out *G.Node, l *leaves, c goldenCase) {
	t.Helper()
	if !out.Shape().Eq(tensor.Shape(c.Out.Shape)) || out.Dims() != len(c.Out.Shape) {
		t.Fatalf("output shape %v, PyTorch %v", out.Shape(), c.Out.Shape)
	}
	var up any = c.Up[0]
	if len(c.Out.Shape) > 0 {
		up = denseOf(c.Up, c.Out.Shape, tensor.Float64)
	}
	un, err := compiler.Constant(g, up)
	if err != nil {
		t.Fatal(err)
	}
	prod, err := ops.Mul(out, un)
	if err != nil {
		t.Fatal(err)
	}
	loss, err := G.Sum(prod)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := l.compile(loss, compiler.WithOutputs(out))
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	if err := prog.RunTrain(); err != nil {
		t.Fatal(err)
	}
	got := valueFloats(prog.Output(0))
	compareGolden(t, "output", got, c.Out.Data)
	for _, p := range prog.Params() {
		want, ok := c.Grads[p.Name]
		if !ok {
			t.Fatalf("no PyTorch gradient for %s", p.Name)
		}
		compareGolden(t, "grad "+p.Name, asFloat64s(p.Grad), want)
	}
}

func checkGoldenInts(t *testing.T, g *G.ExprGraph, out *G.Node, l *leaves, c goldenCase) {
	t.Helper()
	for i, in := range c.Inputs {
		if err := G.Let(l.nodes[i], l.binds[in.Name]); err != nil {
			t.Fatal(err)
		}
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if out.Dtype() != tensor.Int64 || !out.Shape().Eq(tensor.Shape(c.Out.Shape)) {
		t.Fatalf("output %v %v, PyTorch int64 %v", out.Dtype(), out.Shape(), c.Out.Shape)
	}
	var got []int64
	switch v := out.Value().(type) {
	case *G.I64:
		got = []int64{int64(*v)}
	case *tensor.Dense:
		got = v.Int64s()
	default:
		t.Fatalf("output value %T", v)
	}
	for i, w := range c.Out.Data {
		if got[i] != int64(w) {
			t.Fatalf("output %v, PyTorch %v", got, c.Out.Data)
		}
	}
}

// compareGolden compares elementwise to 1e-12 relative (NaN matches NaN).
func compareGolden(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d elements, PyTorch %d", what, len(got), len(want))
	}
	for i := range want {
		if math.IsNaN(want[i]) && math.IsNaN(got[i]) {
			continue
		}
		if !near(got[i], want[i], 1e-12) {
			t.Errorf("%s[%d] = %.17g, PyTorch %.17g", what, i, got[i], want[i])
		}
	}
}
