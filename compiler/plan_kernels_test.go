package compiler

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// kernelGraph builds mean((x ⊙ w - y)²) + sum(exp(w)) / 2 from Gorgonia's
// elementwise ops, with w a param.
func kernelGraph(t *testing.T, dt tensor.Dtype) (loss, w *G.Node, x, y *tensor.Dense) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	g := G.NewGraph()
	vals := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = 2*rng.Float64() - 1
		}
		return v
	}
	w, err := NewParam(g, "w", denseOf(dt, []int{4, 3}, vals(12)))
	if err != nil {
		t.Fatal(err)
	}
	xn, _ := NewInput(g, "x", dt, 4, 3)
	yn, _ := NewInput(g, "y", dt, 4, 3)
	d := G.Must(G.Sub(G.Must(G.HadamardProd(xn, w)), yn))
	mse := G.Must(G.Mean(G.Must(G.Square(d))))
	half := G.Must(G.Div(G.Must(G.Sum(G.Must(G.Exp(w)))), MustConstant(g, scalarOf(dt, 2))))
	return G.Must(G.Add(mse, half)), w, denseOf(dt, []int{4, 3}, vals(12)), denseOf(dt, []int{4, 3}, vals(12))
}

func denseOf(dt tensor.Dtype, shape []int, v []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

func scalarOf(dt tensor.Dtype, v float64) any {
	if dt == tensor.Float32 {
		return float32(v)
	}
	return v
}

func runKernelGraph(t *testing.T, dt tensor.Dtype, opts ...Option) (*Program, float64, []float64) {
	t.Helper()
	loss, w, x, y := kernelGraph(t, dt)
	p, err := Compile(loss, []*G.Node{w}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []struct {
		name string
		v    *tensor.Dense
	}{{"x", x}, {"y", y}} {
		if err := p.Bind(b.name, b.v); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // the second run takes the verified preallocated paths
		if err := p.RunTrain(); err != nil {
			t.Fatal(err)
		}
	}
	grad, _ := p.Grad(w)
	g := make([]float64, grad.DataSize())
	for i := range g {
		g[i] = asFloat(grad.Get(i))
	}
	return p, p.Loss(), g
}

func asFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	}
	return math.NaN()
}

// TestNativeKernelsMatchTheTapeMachine runs the graph on the plan (native
// kernels, static nodes computed once) and on Gorgonia's TapeMachine, and
// requires the same loss and gradient bit for bit, on the second run too.
func TestNativeKernelsMatchTheTapeMachine(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		p, loss, grad := runKernelGraph(t, dt)
		_, tapeLoss, tapeGrad := runKernelGraph(t, dt, WithTapeMachine())
		if math.Float64bits(loss) != math.Float64bits(tapeLoss) {
			t.Errorf("%v: plan loss %v, TapeMachine %v", dt, loss, tapeLoss)
		}
		for i := range grad {
			if math.Float64bits(grad[i]) != math.Float64bits(tapeGrad[i]) {
				t.Errorf("%v: plan grad[%d] %v, TapeMachine %v", dt, i, grad[i], tapeGrad[i])
			}
		}
		pl := p.train.(*plan)
		var kept, native, static int
		for _, s := range pl.steps {
			if _, ok := s.prealloc.(*nativeKernel); ok {
				native++
			}
			if kernelFor(s.node) != nil && s.prealloc != nil {
				kept++
			}
			if s.static && s.done {
				static++
			}
		}
		if native == 0 || native != kept {
			t.Errorf("%v: %d steps kept their native kernel after verification, %d have one", dt, native, kept)
		}
		if static == 0 {
			t.Errorf("%v: no static step (the 1/N seed of the mean) was computed once", dt)
		}
	}
}

// TestPlanRunDoesNotAllocate checks the steady state of a plan whose ops
// all have native kernels or preallocated paths.
func TestPlanRunDoesNotAllocate(t *testing.T) {
	p, _, _ := runKernelGraph(t, tensor.Float64)
	pl := p.train.(*plan)
	for _, s := range pl.steps {
		if s.prealloc == nil && !s.static {
			t.Logf("step %v (op %v) runs Do", s.node.Name(), s.op)
		}
	}
	allocs := testing.AllocsPerRun(20, func() {
		if err := pl.run(Training); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("plan run: %v allocations, want 0", allocs)
	}
}

// TestFiniteFindsEveryNonFinite puts NaN, +Inf and -Inf at every position
// of tensors whose lengths exercise the unrolled loop and its tail.
func TestFiniteFindsEveryNonFinite(t *testing.T) {
	for _, n := range []int{1, 3, 4, 5, 9} {
		for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			for at := range n {
				v := make([]float64, n)
				for i := range v {
					v[i] = float64(i) - 2.5
				}
				v[at] = bad
				for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
					d := denseOf(dt, []int{n}, v)
					if finite(d) {
						t.Errorf("%v n=%d: %v at %d not found", dt, n, bad, at)
					}
					if idx, _, found := firstNonFinite(d); !found || idx[0] != at {
						t.Errorf("%v n=%d: firstNonFinite = %v %v, want [%d]", dt, n, idx, found, at)
					}
				}
			}
		}
	}
	if !finite(denseOf(tensor.Float64, []int{3}, []float64{math.MaxFloat64, -math.MaxFloat64, 0})) {
		t.Error("finite values reported as non-finite")
	}
	if finite(G.NewF64(math.NaN())) || !finite(G.NewF32(1)) {
		t.Error("scalars misclassified")
	}
}
