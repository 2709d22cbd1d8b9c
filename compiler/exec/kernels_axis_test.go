package exec

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/ops"
)

// TestSumAlongKernelMatchesGorgonia compares the native sum along one
// axis with Gorgonia's Σ op, bit for bit, over every axis of tensors of 1
// to 3 axes, with -0 among the values (a sum that starts from +0 turns a
// lone -0 into +0; one that starts from the first element keeps it).
func TestSumAlongKernelMatchesGorgonia(t *testing.T) {
	shapes := [][]int{{5}, {4, 3}, {3, 1}, {1, 3}, {2, 3, 4}, {2, 1, 3}}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, s := range shapes {
			x := axisValues(dt, s)
			for axis := range s {
				g := G.NewGraph()
				xn := G.NewTensor(g, dt, len(s), G.WithShape(s...), G.WithName("x"))
				sum := G.Must(G.Sum(xn, axis))
				want, err := sum.Op().Do(x)
				if err != nil {
					t.Fatal(err)
				}
				got := ZeroValue(sum)
				k := kernelFor(sum)
				if k == nil {
					t.Fatalf("%v %v axis %d: no native kernel", dt, s, axis)
				}
				if _, err := k.UsePreallocDo(got, x); err != nil {
					t.Fatalf("%v %v axis %d: %v", dt, s, axis, err)
				}
				if !sameValues(got, want) {
					t.Errorf("%v %v axis %d: kernel %v, Gorgonia %v", dt, s, axis, got, want)
				}
			}
		}
	}
}

// TestRepeatKernelMatchesGorgonia compares the native repeat with
// Gorgonia's, bit for bit, on the repeats that broadcasting arithmetic
// makes along each axis: a middle axis (blocks of the inner axes), the last
// axis (each element repeated, inner = 1), the first axis, and a
// one-element input.
func TestRepeatKernelMatchesGorgonia(t *testing.T) {
	cases := []struct {
		small, big []int
		pattern    []byte
	}{
		{[]int{2, 1, 3}, []int{2, 4, 3}, []byte{1}},
		{[]int{2, 3, 1}, []int{2, 3, 4}, []byte{2}},
		{[]int{1, 3}, []int{5, 3}, []byte{0}},
		{[]int{1, 1}, []int{3, 2}, []byte{0, 1}},
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, c := range cases {
			g := G.NewGraph()
			a := G.NewTensor(g, dt, len(c.small), G.WithShape(c.small...), G.WithName("a"), G.WithValue(axisValues(dt, c.small)))
			b := G.NewTensor(g, dt, len(c.big), G.WithShape(c.big...), G.WithName("b"), G.WithValue(axisValues(dt, c.big)))
			G.Must(G.BroadcastAdd(a, b, c.pattern, nil))
			// Gorgonia's values, op by op: after a machine run a repeat's
			// value may hold what an op that overwrote it wrote.
			want := map[*G.Node]G.Value{a: a.Value(), b: b.Value()}
			repeats := 0
			for _, n := range g.AllNodes() {
				in := make([]G.Value, len(ops.Inputs(n)))
				for i, c := range ops.Inputs(n) {
					in[i] = want[c]
				}
				if len(in) == 0 {
					want[n] = n.Value()
					continue
				}
				v, err := n.Op().Do(in...)
				if err != nil {
					t.Fatal(err)
				}
				want[n] = v
				k := kernelFor(n)
				if k == nil || k.name != "repeat" {
					continue
				}
				repeats++
				got := ZeroValue(n)
				if _, err := k.UsePreallocDo(got, in...); err != nil {
					t.Fatalf("%v %v over %v: %v", dt, c.small, c.big, err)
				}
				if !sameValues(got, v) {
					t.Errorf("%v %v over %v (%v): kernel %v, Gorgonia %v", dt, c.small, c.big, n.Op(), got, v)
				}
			}
			if repeats != len(c.pattern) {
				t.Errorf("%v %v over %v: %d repeats checked, want %d", dt, c.small, c.big, repeats, len(c.pattern))
			}
		}
	}
}

// axisValues is a tensor of the given shape whose elements are distinct,
// every third one -0.
func axisValues(dt tensor.Dtype, s []int) *tensor.Dense {
	v := make([]float64, tensor.Shape(s).TotalSize())
	for i := range v {
		v[i] = 0.1*float64(i) - 0.37
		if i%3 == 0 {
			v[i] = math.Copysign(0, -1)
		}
	}
	return floatdense.Of(dt, s, v)
}

// TestAxisKernelsMatchTheTapeMachine runs a graph of sums along axes,
// reshapes and broadcasts (repeats), whose gradient holds more of each, on
// the plan and on the TapeMachine: the loss and gradients agree bit for
// bit, the native kernels survive verification, and a steady-state run
// allocates nothing.
func TestAxisKernelsMatchTheTapeMachine(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		pl, loss, grad := runAxisGraph(t, dt, false)
		_, tapeLoss, tapeGrad := runAxisGraph(t, dt, true)
		requireSameBits(t, dt, append([]float64{loss}, grad...), append([]float64{tapeLoss}, tapeGrad...))
		kinds := map[string]int{}
		for _, s := range pl.steps {
			if k, ok := s.prealloc.(*nativeKernel); ok {
				kinds[k.name]++
			} else if kernelFor(s.node) != nil {
				t.Errorf("%v: step %v (op %v) lost its native kernel in verification", dt, s.node.Name(), s.op)
			}
		}
		for _, name := range []string{"sum along an axis", "reshape", "repeat"} {
			if kinds[name] == 0 {
				t.Errorf("%v: no %s kernel in the plan (%v)", dt, name, kinds)
			}
		}
		if n := testing.AllocsPerRun(10, func() { _ = pl.Run(Training) }); n != 0 {
			t.Errorf("%v: plan run: %v allocations, want 0", dt, n)
		}
	}
}

// runAxisGraph builds sum((Σ_1(x ⊙ w) reshaped to [4, 1], broadcast over
// the 3 columns, + x)²) + Σ_0(w)·Σ_0(w), with w a [4, 3] matrix, and its
// gradient with respect to w (G.Grad), and runs them twice (runGraph).
func runAxisGraph(t *testing.T, dt tensor.Dtype, tape bool) (*Plan, float64, []float64) {
	t.Helper()
	g := G.NewGraph()
	w := G.NewMatrix(g, dt, G.WithShape(4, 3), G.WithName("w"), G.WithValue(axisValues(dt, []int{4, 3})))
	x := floatdense.Of(dt, []int{4, 3}, []float64{0.5, -1, 2, 0.25, 1.5, -0.75, 3, -2, 0.1, -0.3, 0.7, 1.1})
	xn := G.NewMatrix(g, dt, G.WithShape(4, 3), G.WithName("x"), G.WithValue(x))
	rows := G.Must(G.Reshape(G.Must(G.Sum(G.Must(G.HadamardProd(xn, w)), 1)), tensor.Shape{4, 1}))
	b := G.Must(G.BroadcastAdd(rows, xn, []byte{1}, nil))
	cols := G.Must(G.Sum(w, 0))
	loss := G.Must(G.Add(G.Must(G.Sum(G.Must(G.Square(b)))), G.Must(G.Sum(G.Must(G.HadamardProd(cols, cols))))))
	grads, err := G.Grad(loss, w)
	if err != nil {
		t.Fatal(err)
	}
	return runGraph(t, loss, grads[0], tape)
}
