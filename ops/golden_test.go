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
			var nodes, params []*G.Node
			binds := map[string]*tensor.Dense{}
			for _, in := range c.Inputs {
				var n *G.Node
				var err error
				switch in.Kind {
				case "int":
					v := make([]int64, len(in.Data))
					for i, x := range in.Data {
						v[i] = int64(x)
					}
					n, err = compiler.NewInput(g, in.Name, tensor.Int64, in.Shape...)
					binds[in.Name] = tensor.New(tensor.WithShape(in.Shape...), tensor.WithBacking(v))
				case "param":
					n, err = goldenParam(g, in.Name, in.Shape, in.Data)
					params = append(params, n)
				default:
					n, err = compiler.NewInput(g, in.Name, tensor.Float64, in.Shape...)
					binds[in.Name] = denseOf(in.Data, in.Shape, tensor.Float64)
				}
				if err != nil {
					t.Fatal(err)
				}
				nodes = append(nodes, n)
			}
			out, err := spec.Apply(nodes, c.Params)
			if err != nil {
				t.Fatal(err)
			}
			if c.OutDtype == "int64" {
				checkGoldenInts(t, g, out, binds, nodes, c)
				return
			}
			checkGoldenFloats(t, g, out, params, binds, c)
		})
	}
}

// goldenParam makes a parameter; a 0-d one is [1], as the gradcheck CLI
// makes scalar variables (Gorgonia's scalar nodes cannot be parameters).
func goldenParam(g *G.ExprGraph, name string, shape []int, data []float64) (*G.Node, error) {
	if len(shape) == 0 {
		shape = []int{1}
	}
	return compiler.NewParam(g, name, denseOf(data, shape, tensor.Float64))
}

func checkGoldenFloats(t *testing.T, g *G.ExprGraph, out *G.Node, params []*G.Node, binds map[string]*tensor.Dense, c goldenCase) {
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
	prog, err := compiler.Compile(loss, params, compiler.WithOutputs(out))
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	for name, v := range binds {
		if err := prog.Bind(name, v); err != nil {
			t.Fatal(err)
		}
	}
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

func checkGoldenInts(t *testing.T, g *G.ExprGraph, out *G.Node, binds map[string]*tensor.Dense, nodes []*G.Node, c goldenCase) {
	t.Helper()
	for i, in := range c.Inputs {
		if err := G.Let(nodes[i], binds[in.Name]); err != nil {
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
