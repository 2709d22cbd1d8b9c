package exec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/internal/nodes"
)

// kernelGraph builds mean((x ⊙ w - y)²) + sum(exp(w)) / 2 from Gorgonia's
// elementwise ops, with x, y and w bound and the 2 a constant leaf named as
// the compiler names one, and its gradient with respect to w (G.Grad).
func kernelGraph(t *testing.T, dt tensor.Dtype) (loss, grad *G.Node) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	g := G.NewGraph()
	matrix := func(name string) *G.Node {
		v := make([]float64, 12)
		for i := range v {
			v[i] = 2*rng.Float64() - 1
		}
		return G.NewMatrix(g, dt, G.WithShape(4, 3), G.WithName(name), G.WithValue(floatdense.Of(dt, []int{4, 3}, v)))
	}
	w, x, y := matrix("w"), matrix("x"), matrix("y")
	two := G.NewScalar(g, dt, G.WithName(nodes.ConstPrefix+"0"), G.WithValue(scalarOf(dt, 2)))
	d := G.Must(G.Sub(G.Must(G.HadamardProd(x, w)), y))
	mse := G.Must(G.Mean(G.Must(G.Square(d))))
	half := G.Must(G.Div(G.Must(G.Sum(G.Must(G.Exp(w)))), two))
	loss = G.Must(G.Add(mse, half))
	grads, err := G.Grad(loss, w)
	if err != nil {
		t.Fatal(err)
	}
	return loss, grads[0]
}

func scalarOf(dt tensor.Dtype, v float64) any {
	if dt == tensor.Float32 {
		return float32(v)
	}
	return v
}

// newRunner builds a plan, or a TapeMachine whose values leave through
// Read statements (as the compiler builds them), that computes loss and
// grad into the values it returns.
func newRunner(t *testing.T, loss, grad *G.Node, tape bool) (r Runner, lossVal, gradVal *G.Value) {
	t.Helper()
	lv, gv := ZeroValue(loss), ZeroValue(grad)
	var err error
	if tape {
		reads := G.Nodes{G.Read(loss, &lv), G.Read(grad, &gv)}
		r, err = NewMachine(loss.Graph().ExactSubgraphRoots(reads...))
	} else {
		r, err = NewPlan(G.Nodes{loss, grad}, []*G.Value{&lv, &gv})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r, &lv, &gv
}

// runGraph runs loss and grad twice (the second run takes the verified
// preallocated paths) on a plan, or on a TapeMachine, and returns the plan
// (nil for a TapeMachine), the loss and the gradient.
func runGraph(t *testing.T, loss, grad *G.Node, tape bool) (*Plan, float64, []float64) {
	t.Helper()
	r, lv, gv := newRunner(t, loss, grad, tape)
	for range 2 {
		if err := r.Run(Training); err != nil {
			t.Fatal(err)
		}
	}
	pl, _ := r.(*Plan)
	return pl, floats(*lv)[0], floats(*gv)
}

// runKernelGraph runs kernelGraph (runGraph).
func runKernelGraph(t *testing.T, dt tensor.Dtype, tape bool) (*Plan, float64, []float64) {
	t.Helper()
	loss, grad := kernelGraph(t, dt)
	return runGraph(t, loss, grad, tape)
}

// requireSameBits requires the plan's loss and gradient to equal the
// TapeMachine's bit for bit (element 0 is the loss).
func requireSameBits(t *testing.T, dt tensor.Dtype, plan, tape []float64) {
	t.Helper()
	if len(plan) != len(tape) {
		t.Fatalf("%v: plan gives %d values, TapeMachine %d", dt, len(plan), len(tape))
	}
	for i := range plan {
		if math.Float64bits(plan[i]) != math.Float64bits(tape[i]) {
			t.Errorf("%v: plan %s %v, TapeMachine %v", dt, valueName(i), plan[i], tape[i])
		}
	}
}

func valueName(i int) string {
	if i == 0 {
		return "loss"
	}
	return fmt.Sprintf("grad[%d]", i-1)
}

// floats returns v's elements as float64s.
func floats(v G.Value) []float64 {
	var out []float64
	switch d := v.Data().(type) {
	case float64:
		out = append(out, d)
	case float32:
		out = append(out, float64(d))
	case []float64:
		out = append(out, d...)
	case []float32:
		for _, x := range d {
			out = append(out, float64(x))
		}
	}
	return out
}

// TestNativeKernelsMatchTheTapeMachine runs the graph on the plan (native
// kernels, static nodes computed once) and on Gorgonia's TapeMachine, and
// requires the same loss and gradient bit for bit, on the second run too.
func TestNativeKernelsMatchTheTapeMachine(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		pl, loss, grad := runKernelGraph(t, dt, false)
		_, tapeLoss, tapeGrad := runKernelGraph(t, dt, true)
		requireSameBits(t, dt, append([]float64{loss}, grad...), append([]float64{tapeLoss}, tapeGrad...))
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
	pl, _, _ := runKernelGraph(t, tensor.Float64, false)
	for _, s := range pl.steps {
		if s.prealloc == nil && !s.static {
			t.Logf("step %v (op %v) runs Do", s.node.Name(), s.op)
		}
	}
	allocs := testing.AllocsPerRun(20, func() {
		if err := pl.Run(Training); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("plan run: %v allocations, want 0", allocs)
	}
}
