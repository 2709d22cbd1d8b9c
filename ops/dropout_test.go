package ops_test

import (
	"math"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// dropoutProgram compiles sum(dropout(x) ⊙ 1) over x = 1..n and returns the
// program and the dropout node.
func dropoutProgram(t *testing.T, n int, p float64, seed uint64) (*compiler.Program, *G.Node) {
	t.Helper()
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i + 1)
	}
	return sumRun(t, []arg{{name: "x", shape: []int{n}, values: x, param: true}},
		func(_ *G.ExprGraph, nodes []*G.Node) (*G.Node, error) { return ops.Dropout(nodes[0], p, seed) })
}

func mask(t *testing.T, d *G.Node) []float64 {
	t.Helper()
	m, err := ops.DropoutMask(d)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDropoutScalesBy1MinusP guards against Gorgonia's 1/p: kept elements
// and their gradients are scaled by 1/(1 - p), dropped ones are 0.
func TestDropoutScalesBy1MinusP(t *testing.T) {
	const p = 0.2
	prog, d := dropoutProgram(t, 200, p, 1)
	m := mask(t, d)
	grad := prog.Params()[0].Grad.Float64s()
	kept := 0
	for i, v := range m {
		if v != 0 && v != 1/(1-p) {
			t.Fatalf("mask[%d] = %v, want 0 or %v", i, v, 1/(1-p))
		}
		if grad[i] != v {
			t.Fatalf("grad[%d] = %v, mask %v", i, grad[i], v)
		}
		if v != 0 {
			kept++
		}
	}
	if kept < 140 || kept > 180 {
		t.Errorf("kept %d of 200 at p = %v", kept, p)
	}
}

// TestDropoutSameSeedSameMask checks determinism: the same seed gives the
// same mask in two separately built graphs; another seed another mask.
func TestDropoutSameSeedSameMask(t *testing.T) {
	_, d1 := dropoutProgram(t, 50, 0.5, 42)
	_, d2 := dropoutProgram(t, 50, 0.5, 42)
	_, d3 := dropoutProgram(t, 50, 0.5, 43)
	if !slices.Equal(mask(t, d1), mask(t, d2)) {
		t.Error("same seed, different masks")
	}
	if slices.Equal(mask(t, d1), mask(t, d3)) {
		t.Error("different seeds, same mask")
	}
}

// TestDropoutNewMaskEachRun checks that each training run draws a new mask
// unless the masks are frozen.
func TestDropoutNewMaskEachRun(t *testing.T) {
	prog, d := dropoutProgram(t, 50, 0.5, 1)
	m1 := mask(t, d)
	if err := prog.RunTrain(); err != nil {
		t.Fatal(err)
	}
	m2 := mask(t, d)
	if slices.Equal(m1, m2) {
		t.Error("two training runs drew the same mask")
	}
	if n := ops.FreezeMasks(prog.Graph(), true); n != 2 {
		t.Errorf("FreezeMasks found %d mask ops, want 2 (dropout and its gradient)", n)
	}
	if err := prog.RunTrain(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m2, mask(t, d)) {
		t.Error("a frozen mask changed")
	}
}

// TestDropoutTwoNodesNeverShareAMask checks that two dropouts of the same
// node with the same seed and p are distinct nodes with distinct masks.
func TestDropoutTwoNodesNeverShareAMask(t *testing.T) {
	var d1, d2 *G.Node
	sumRun(t, []arg{{name: "x", shape: []int{64}, values: make([]float64, 64), param: true}},
		func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
			var err error
			if d1, err = ops.Dropout(n[0], 0.5, 9); err != nil {
				return nil, err
			}
			if d2, err = ops.Dropout(n[0], 0.5, 9); err != nil {
				return nil, err
			}
			return G.Add(d1, d2)
		})
	if d1 == d2 {
		t.Fatal("the two dropout nodes were merged")
	}
	if slices.Equal(mask(t, d1), mask(t, d2)) {
		t.Error("two dropout nodes share a mask")
	}
}

// TestDropoutIdentityInEvaluation checks that evaluation mode passes x
// through unscaled.
func TestDropoutIdentityInEvaluation(t *testing.T) {
	prog, _ := dropoutProgram(t, 10, 0.5, 1)
	if got := evaluationLoss(t, prog); got != 55 {
		t.Errorf("evaluation loss %v, want 55 (sum of 1..10)", got)
	}
}

// TestDropoutGradientWithFrozenMask checks dropout's gradient numerically
// with the mask frozen, for several p, in float64 and float32.
func TestDropoutGradientWithFrozenMask(t *testing.T) {
	for i, p := range []float64{0.1, 0.5, 0.9} {
		c := drawCase([]ops.Input{{Name: "x", Shape: []int{3, 7}, Domain: ops.Real}}, uint64(i))
		b := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.Dropout(n[0], p, 5) }
		if err := checkGradient(c, b, freezeMasks); err != nil {
			t.Errorf("p=%v: %v", p, err)
		}
		if err := checkFloat32(c, b, freezeMasks); err != nil {
			t.Errorf("p=%v float32: %v", p, err)
		}
	}
}

// TestGorgoniaDropoutGradientIsWrong documents the Gorgonia defect symgrad
// avoids: G.Dropout's gradient at a kept element is 1/p, not 1/(1-p).
func TestGorgoniaDropoutGradientIsWrong(t *testing.T) {
	const p = 0.2
	x := make([]float64, 100)
	for i := range x {
		x[i] = 1
	}
	prog, _ := sumRun(t, []arg{{name: "x", shape: []int{100}, values: x, param: true}},
		func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return G.Dropout(n[0], p) })
	kept := 0
	for _, g := range prog.Params()[0].Grad.Float64s() {
		if g != 0 && math.Abs(g-1/p) > 1e-12 {
			t.Fatalf("Gorgonia's dropout gradient is %v (fixed upstream? 1/(1-p) = %v)", g, 1/(1-p))
		}
		if g != 0 {
			kept++
		}
	}
	if kept == 0 {
		t.Fatal("Gorgonia's dropout kept nothing")
	}
}
