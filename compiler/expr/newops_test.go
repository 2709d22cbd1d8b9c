package expr

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
)

// TestBuildSelectionAndClamp checks the argument forms of the registry's
// clamp, maximum, minimum and where calls (literal bounds, a literal
// operand becoming a scalar constant, a float mask) against hand-computed
// values.
func TestBuildSelectionAndClamp(t *testing.T) {
	x := vec(-2, -0.5, 0.5, 3)
	y := vec(1, -1, 0.5, 2)
	m := vec(1, 0, 1, 0)
	A := mat(2, 4, 1, 2, 3, 4, 5, 6, 7, 8)
	cases := []valueCase{
		{"clamp(x, -1, 1)", map[string]*tensor.Dense{"x": x}, []float64{-1, -0.5, 0.5, 1}},
		{"clamp(x, 0)", map[string]*tensor.Dense{"x": x}, []float64{0, 0, 0.5, 3}},
		{"maximum(x, y)", map[string]*tensor.Dense{"x": x, "y": y}, []float64{1, -0.5, 0.5, 3}},
		{"maximum(x, 0)", map[string]*tensor.Dense{"x": x}, []float64{0, 0, 0.5, 3}},
		{"minimum(A, x)", map[string]*tensor.Dense{"A": A, "x": x}, []float64{-2, -0.5, 0.5, 3, -2, -0.5, 0.5, 3}},
		{"where(m, x, y)", map[string]*tensor.Dense{"m": m, "x": x, "y": y}, []float64{-2, -1, 0.5, 2}},
		{"where(x, A, 0)", map[string]*tensor.Dense{"x": x, "A": A}, []float64{0, 0, 3, 4, 0, 0, 7, 8}},
		{"add(x, 1) - sub(y, 1)", map[string]*tensor.Dense{"x": x, "y": y}, []float64{-1, 2.5, 2, 3}},
		{"matmul(A, x)", map[string]*tensor.Dense{"A": A, "x": x}, []float64{10.5, 14.5}},
	}
	checkValues(t, cases)
}

// TestBuildSelectionGradients compares the gradients of the new calls with
// central differences, the mask and the weights included (their gradients
// are 0 and the weights' derivative).
func TestBuildSelectionGradients(t *testing.T) {
	x, y, m := vec(-2, -0.5, 0.5, 3), vec(1, -1, 0.25, 2), vec(1, -1, 1, -1)
	cases := []gradCase{
		{"clamp(x, -1, 1) * y", map[string]*tensor.Dense{"x": x, "y": y}},
		{"maximum(x, y) * y", map[string]*tensor.Dense{"x": x, "y": y}},
		{"minimum(x, 0.3) * y", map[string]*tensor.Dense{"x": x, "y": y}},
		{"where(m, x * y, y^2)", map[string]*tensor.Dense{"x": x, "y": y, "m": m}},
	}
	checkGradients(t, cases)
}

// TestBuildArgmaxFeedsCrossEntropy builds crossentropy(x, argmax(t, 1))
// and crossentropy(x, c, w, 0.1, 2): argmax's int64 output is a class
// index tensor, and the options are trailing numbers.
func TestBuildArgmaxFeedsCrossEntropy(t *testing.T) {
	g := G.NewGraph()
	x, _ := compiler.NewParam(g, "x", mat(2, 3, 1, 2, 3, 0, 0, 0))
	tg, _ := compiler.NewParam(g, "t", mat(2, 3, 0, 5, 1, 2, 2, 1))
	c, _ := compiler.NewInput(g, "c", tensor.Int64, 2)
	w, _ := compiler.NewParam(g, "w", vec(1, 2, 1))
	vars := map[string]*G.Node{"x": x, "t": tg, "c": c, "w": w}
	build := func(src string) *G.Node {
		e, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		n, err := Build(g, e, vars)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		return n
	}
	am := build("argmax(t, 1)")
	ce := build("crossentropy(x, argmax(t, 1))")
	opt := build("crossentropy(x, c, w, 0, 2, 2)")
	if err := G.Let(c, tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{1, 2}))); err != nil {
		t.Fatal(err)
	}
	run(t, g)
	if got := am.Value().(*tensor.Dense).Int64s(); got[0] != 1 || got[1] != 0 {
		t.Fatalf("argmax(t, 1) = %v, want [1 0] (the first of tied maxima)", got)
	}
	// row 0: lse(1,2,3) - 2; row 1: lse(0,0,0) - 0, mean of the two.
	want := ((3.40760596444438 - 2) + 1.0986122886681098) / 2
	assertClose(t, "crossentropy", values(t, ce), []float64{want}, 1e-12)
	// reduction none, class 2 ignored: [2*(lse-2), 0]
	assertClose(t, "crossentropy none", values(t, opt), []float64{2 * (3.40760596444438 - 2), 0}, 1e-12)
}
