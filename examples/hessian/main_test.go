package main

import (
	"strings"
	"testing"

	"github.com/symgrad/symgrad/examples/internal/notebook/notebooktest"
)

// The example's claim: with the same number of steps, Newton-CG (driven
// by Hessian-vector products only) ends with a gradient orders of
// magnitude smaller than gradient descent's, and converges
// quadratically at the end (each |grad| well below the square of the
// previous one's scale).
func TestNewtonCGBeatsGradientDescent(t *testing.T) {
	s := notebooktest.Settings(t, example, "-quick") // 100 samples of 8 features, 6 steps, λ 0.05, lr 2
	r, out := notebooktest.Run(t, example, s)
	n, g := r.newtonGrad[s.steps-1], r.gdGrad[s.steps-1]
	if !(n < 1e-6 && n < g/1000) {
		t.Errorf("after %d steps: Newton-CG |grad| %.3e, gradient descent %.3e; want Newton below 1e-6 and 1000x smaller", s.steps, n, g)
	}
	if !(r.newtonLoss < r.gdLoss) {
		t.Errorf("final loss: Newton-CG %v, gradient descent %v", r.newtonLoss, r.gdLoss)
	}
	if k := s.steps - 1; !(r.newtonGrad[k] < r.newtonGrad[k-1]*r.newtonGrad[k-1]*100) {
		t.Errorf("no quadratic convergence: |grad| %.3e then %.3e", r.newtonGrad[k-1], r.newtonGrad[k])
	}
	if !strings.Contains(out, "Hessian-vector products, no Hessian") {
		t.Errorf("output lacks the verdict line:\n%s", out)
	}
}
