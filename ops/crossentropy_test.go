package ops_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// TestCrossEntropyOptionsGradients checks every combination of reduction,
// label smoothing and ignore index, with the weights as a node (whose
// gradient is checked too), against central differences.
func TestCrossEntropyOptionsGradients(t *testing.T) {
	spec, _ := ops.Lookup("crossentropyopt")
	inputs := []ops.Input{{Name: "x", Shape: []int{5, 4}, Domain: ops.Domain{Min: -3, Max: 3}},
		{Name: "c", Shape: []int{5}, Classes: 4}, {Name: "w", Shape: []int{4}, Domain: ops.Positive}}
	seed := uint64(7)
	for _, red := range []float64{0, 1, 2} {
		for _, eps := range []float64{0, 0.3} {
			for _, ignore := range []float64{-100, 1} {
				seed++
				name := fmt.Sprintf("red=%v eps=%v ignore=%v", red, eps, ignore)
				t.Run(name, func(t *testing.T) {
					params := []float64{eps, ignore, red}
					b := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return spec.Apply(n, params) }
					if err := checkGradient(drawCase(inputs, seed), b, nil); err != nil {
						t.Error(err)
					}
				})
			}
		}
	}
}

// TestCrossEntropyWithDefaultsIsCrossEntropy checks that the zero options
// give the fused CrossEntropy's loss and gradient, and that Sum is B times
// the Mean without weights.
func TestCrossEntropyWithDefaultsIsCrossEntropy(t *testing.T) {
	x := []float64{1, -2, 0.5, 3, 0, -1, 2, 2, -0.5}
	args := []arg{{name: "x", shape: []int{3, 3}, values: x, param: true}, {name: "c", shape: []int{3}, values: []float64{2, 0, 1}, ints: true}}
	_, l0, g0 := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.CrossEntropy(n[0], n[1]) })
	_, l1, g1 := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		return ops.CrossEntropyWith(n[0], n[1], ops.CrossEntropyOptions{})
	})
	_, l2, _ := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		return ops.CrossEntropyWith(n[0], n[1], ops.CrossEntropyOptions{Reduction: ops.Sum})
	})
	if !near(l1, l0, 1e-12) || !near(l2, 3*l0, 1e-12) {
		t.Fatalf("losses %v (with), %v (sum), want %v and %v", l1, l2, l0, 3*l0)
	}
	for i := range g0[0] {
		if !near(g1[0][i], g0[0][i], 1e-12) {
			t.Fatalf("grad[%d] %v, want %v", i, g1[0][i], g0[0][i])
		}
	}
}

// TestCrossEntropyIgnoreClassZero checks that SetIgnoreIndex can ignore
// class 0 (the padding class of many datasets): the loss is the mean over
// the other targets.
func TestCrossEntropyIgnoreClassZero(t *testing.T) {
	x := []float64{1, -2, 0.5, 3, 0, -1, 2, 2, -0.5}
	args := []arg{{name: "x", shape: []int{3, 3}, values: x, param: true}, {name: "c", shape: []int{3}, values: []float64{0, 2, 0}, ints: true}}
	_, l, g := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		return ops.CrossEntropyWith(n[0], n[1], ops.CrossEntropyOptions{IgnoreIndex: 0, SetIgnoreIndex: true})
	})
	row := x[3:6]
	want := math.Log(math.Exp(row[0])+math.Exp(row[1])+math.Exp(row[2])) - row[2]
	if !near(l, want, 1e-12) {
		t.Fatalf("loss %v, want %v (sample 1 alone)", l, want)
	}
	for _, i := range []int{0, 1, 2, 6, 7, 8} {
		if g[0][i] != 0 {
			t.Fatalf("grad[%d] = %v, want 0 for an ignored sample", i, g[0][i])
		}
	}
}

// TestCrossEntropyWithErrors checks that bad options and inputs are errors
// naming the loss and the thing at fault.
func TestCrossEntropyWithErrors(t *testing.T) {
	g := G.NewGraph()
	x := mustParam(g, "x", 2, 3)
	c := mustInput(g, "c", tensor.Int64, 2)
	cases := []struct {
		opts ops.CrossEntropyOptions
		want string
	}{
		{ops.CrossEntropyOptions{Weight: []float64{1, 2}}, "2 class weights, want 3"},
		{ops.CrossEntropyOptions{LabelSmoothing: 1.5}, "label smoothing 1.5 is outside [0, 1]"},
		{ops.CrossEntropyOptions{LabelSmoothing: math.NaN()}, "label smoothing NaN"},
		{ops.CrossEntropyOptions{Reduction: 7}, "unknown reduction 7"},
	}
	for _, tc := range cases {
		_, err := ops.CrossEntropyWith(x, c, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "CrossEntropy") {
			t.Errorf("%+v: error %v, want one containing %q", tc.opts, err, tc.want)
		}
	}
	if _, err := ops.CrossEntropyWith(x, x, ops.CrossEntropyOptions{}); err == nil || !strings.Contains(err.Error(), "classes must be int64") {
		t.Errorf("float classes: error %v", err)
	}
}

// TestCrossEntropyWithOutOfRangeClass checks the run-time error for a
// target that is neither a class nor the ignore index.
func TestCrossEntropyWithOutOfRangeClass(t *testing.T) {
	g := G.NewGraph()
	x := mustParam(g, "x", 2, 3)
	c := mustInput(g, "c", tensor.Int64, 2)
	loss, err := ops.CrossEntropyWith(x, c, ops.CrossEntropyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prog := compiled(t, loss, []*G.Node{x})
	if err := prog.Bind("c", tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{3, -100}))); err != nil {
		t.Fatal(err)
	}
	err = prog.RunTrain()
	if err == nil || !strings.Contains(err.Error(), "class index 3 at 0 is out of range [0, 3) and not the ignore index -100") {
		t.Fatalf("error %v", err)
	}
}

// ExampleCrossEntropyWith is PyTorch's
// F.cross_entropy(x, c, weight=w, ignore_index=-100, label_smoothing=0.1):
// the second target is ignored, the mean divides by the weight of the first
// (the numbers are PyTorch 1.13's).
func ExampleCrossEntropyWith() {
	g := G.NewGraph()
	x := mustParam(g, "logits", 2, 3)
	c := mustInput(g, "class", tensor.Int64, 2)
	loss, err := ops.CrossEntropyWith(x, c, ops.CrossEntropyOptions{Weight: []float64{2, 1, 1}, LabelSmoothing: 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	prog, _ := compiler.Compile(loss, []*G.Node{x})
	defer prog.Close()
	copy(prog.Params()[0].Value.Float64s(), []float64{2, 0, -1, 0.5, 0.5, 0.5})
	_ = prog.Bind("class", tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{0, -100})))
	_ = prog.RunTrain()
	fmt.Printf("loss %.6f\n", prog.Loss())
	fmt.Printf("grad %.4f\n", prog.Params()[0].Grad.Float64s())
	// Output:
	// loss 0.247518
	// grad [-0.1177 0.0937 0.0239 0.0000 0.0000 0.0000]
}
