package expr

import (
	"errors"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func vec(data ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(data)), tensor.WithBacking(data))
}

func mat(r, c int, data ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(data))
}

// TestBuildValues checks forward values against hand-computed numbers.
func TestBuildValues(t *testing.T) {
	x := vec(1, -2, 3)
	A := mat(2, 3, 1, 2, 3, 4, 5, 6)
	B := mat(3, 2, 1, 0, 0, 1, 1, 1)
	cases := []valueCase{
		{"x + 1", map[string]*tensor.Dense{"x": x}, []float64{2, -1, 4}},
		{"2*x - x/2", map[string]*tensor.Dense{"x": x}, []float64{1.5, -3, 4.5}},
		{"-x^2", map[string]*tensor.Dense{"x": x}, []float64{-1, -4, -9}},
		{"(-x)^2", map[string]*tensor.Dense{"x": x}, []float64{1, 4, 9}},
		{"x^3", map[string]*tensor.Dense{"x": x}, []float64{1, -8, 27}},
		{"2^3^2", nil, []float64{512}},
		{"1 - 2 - 3", nil, []float64{-4}},
		{"8/4/2", nil, []float64{1}},
		{"x*x + x", map[string]*tensor.Dense{"x": x}, []float64{2, 2, 12}},
		{"A @ B", map[string]*tensor.Dense{"A": A, "B": B}, []float64{4, 5, 10, 11}},
		{"A @ x", map[string]*tensor.Dense{"A": A, "x": x}, []float64{6, 12}},
		{"x @ B", map[string]*tensor.Dense{"x": x, "B": B}, []float64{4, 1}},
		{"x @ x", map[string]*tensor.Dense{"x": x}, []float64{14}},
		{"A + x", map[string]*tensor.Dense{"A": A, "x": x}, []float64{2, 0, 6, 5, 3, 9}},
		{"relu(x)", map[string]*tensor.Dense{"x": x}, []float64{1, 0, 3}},
		{"mse(x, x + 1)", map[string]*tensor.Dense{"x": x}, []float64{1}},
		{"leakyrelu(x, 0.5)", map[string]*tensor.Dense{"x": x}, []float64{1, -1, 3}},
		{"sum(x, 0)", map[string]*tensor.Dense{"x": x}, []float64{2}},
		{"tanh(0*x) + exp(0*x)", map[string]*tensor.Dense{"x": x}, []float64{1, 1, 1}},
		{"reshape(A, 3, 2) + 1", map[string]*tensor.Dense{"A": A}, []float64{2, 3, 4, 5, 6, 7}},
		{"1e-1*x", map[string]*tensor.Dense{"x": x}, []float64{0.1, -0.2, 0.3}},
	}
	checkValues(t, cases)
}

// TestBuildGradients compares G.Grad of sum(expr) with central differences.
func TestBuildGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pos := func(shape ...int) *tensor.Dense { return randDense(rng, 0.5, 2, shape...) }
	real := func(shape ...int) *tensor.Dense { return randDense(rng, -2, 2, shape...) }
	cases := []gradCase{
		{"x^3", map[string]*tensor.Dense{"x": real(5)}}, // negative bases, integer exponent
		{"x^0.5", map[string]*tensor.Dense{"x": pos(5)}},
		{"x^-1.5", map[string]*tensor.Dense{"x": pos(2, 3)}},
		{"x^y", map[string]*tensor.Dense{"x": pos(4), "y": real(4)}},
		{"x*y - x/y", map[string]*tensor.Dense{"x": real(3, 2), "y": pos(3, 2)}},
		{"-x^2 + 3*x", map[string]*tensor.Dense{"x": real(6)}},
		{"A @ B", map[string]*tensor.Dense{"A": real(3, 4), "B": real(4, 2)}},
		{"A @ v", map[string]*tensor.Dense{"A": real(3, 4), "v": real(4)}},
		{"v @ B", map[string]*tensor.Dense{"v": real(4), "B": real(4, 2)}},
		{"u @ v", map[string]*tensor.Dense{"u": real(4), "v": real(4)}},
		{"relu(x @ W + b)", map[string]*tensor.Dense{"x": real(4, 3), "W": real(3, 2), "b": real(2)}},
		{"tanh(x @ W + b)", map[string]*tensor.Dense{"x": real(4, 3), "W": real(3, 2), "b": real(2)}},
		{"log(x) * sigmoid(y)", map[string]*tensor.Dense{"x": pos(3, 2), "y": real(3, 2)}},
	}
	checkGradients(t, cases)
}

// TestBuildScalarVariable checks that a scalar variable broadcasts and that
// its gradient sums over the elements it was combined with.
func TestBuildScalarVariable(t *testing.T) {
	f := newFixture(t, "s*x + s", map[string]*tensor.Dense{"x": vec(1, 2, 3)}, map[string]float64{"s": 2})
	l := f.loss(t)
	grads, err := G.Grad(l, f.vars["s"], f.vars["x"])
	if err != nil {
		t.Fatal(err)
	}
	run(t, f.g)
	assertClose(t, "value", values(t, f.out), []float64{4, 6, 8}, 1e-12)
	assertClose(t, "d/ds", values(t, grads[0]), []float64{1 + 2 + 3 + 3}, 1e-12)
	assertClose(t, "d/dx", values(t, grads[1]), []float64{2, 2, 2}, 1e-12)
}

// TestBuildFloat32 checks that literals take the variables' dtype.
func TestBuildFloat32(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float32, G.WithShape(2), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 2}))))
	out, err := Build(g, MustParse("2*x^3 + 0.5"), map[string]*G.Node{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	run(t, g)
	got := out.Value().Data().([]float32)
	if got[0] != 2.5 || got[1] != 16.5 {
		t.Fatalf("got %v, want [2.5 16.5]", got)
	}
}

// TestBuildErrors checks semantic errors and their positions.
func TestBuildErrors(t *testing.T) {
	g := G.NewGraph()
	mk := func(name string, shape ...int) *G.Node {
		return G.NewTensor(g, tensor.Float64, len(shape), G.WithName(name), G.WithShape(shape...))
	}
	vars := map[string]*G.Node{"A": mk("A", 4, 2), "v": mk("v", 3), "w": mk("w", 2), "T": mk("T", 2, 2, 2)}
	vars["f"] = G.NewVector(g, tensor.Float32, G.WithShape(2), G.WithName("f"))
	cases := []errorCase{
		{"A + v", 1, 3, "shapes (4, 2) and (3) do not broadcast for +"},
		{"w +\n  A * v", 2, 5, "shapes (4, 2) and (3) do not broadcast for *"},
		{"A @ v", 1, 3, "shapes (4, 2) and (3) do not match for @"},
		{"T @ w", 1, 3, "@ needs vectors or matrices"},
		{"nosuchfn(A)", 1, 1, `unknown function "nosuchfn"`},
		{"A + q", 1, 5, `unknown variable "q"`},
		{"w + f", 1, 5, `variable "f" has dtype float32`},
		{"relu(A, w)", 1, 1, "relu of shapes (4, 2), (2): relu takes 1 tensor arguments, got 2"},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			_, err := Build(g, MustParse(c.src), vars)
			var be *BuildError
			if !errors.As(err, &be) {
				t.Fatalf("got %v (%T), want a *BuildError", err, err)
			}
			c.check(t, be.Line, be.Col, be.Msg)
		})
	}
}
