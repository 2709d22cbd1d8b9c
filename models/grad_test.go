package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/symgrad/symgrad/compiler"
)

// numericCheck compares every parameter's symbolic gradient (from RunTrain)
// with central differences (L(w+h) - L(w-h)) / 2h, on every element of a
// tensor with at most perParam elements and on perParam elements drawn
// from rng otherwise. It runs the forward pass in training mode, so batch
// norm uses batch statistics as in the gradient.
func numericCheck(t *testing.T, p *compiler.Program, perParam int, rng *rand.Rand) {
	t.Helper()
	const h, atol, rtol = 1e-6, 1e-7, 1e-5
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
	for _, prm := range p.Params() {
		w := prm.Value.Data().([]float64)
		g := append([]float64(nil), prm.Grad.Data().([]float64)...)
		idx := rng.Perm(len(w))
		if len(idx) > perParam {
			idx = idx[:perParam]
		}
		worst := 0.0
		for _, i := range idx {
			orig := w[i]
			w[i] = orig + h
			lp := forwardLoss(t, p)
			w[i] = orig - h
			lm := forwardLoss(t, p)
			w[i] = orig
			num := (lp - lm) / (2 * h)
			diff := math.Abs(num - g[i])
			worst = math.Max(worst, diff)
			if diff > atol+rtol*math.Abs(num) {
				t.Errorf("%s[%d]: symbolic %.10g, numeric %.10g (diff %.3g)", prm.Name, i, g[i], num, diff)
			}
		}
		t.Logf("%-28s %6d elements, %3d checked, worst |diff| %.2g", prm.Name, len(w), len(idx), worst)
	}
}

func forwardLoss(t *testing.T, p *compiler.Program) float64 {
	t.Helper()
	if err := p.RunLoss(compiler.Training); err != nil {
		t.Fatal(err)
	}
	return p.Loss()
}

// TestZooGradients checks every zoo model's gradients numerically, in
// float64: all elements of small tensors, a seeded sample of big ones.
func TestZooGradients(t *testing.T) {
	for i, name := range Names() {
		t.Run(name, func(t *testing.T) {
			m, err := Build(name, Config{Batch: 3, Seed: uint64(100 + i)})
			if err != nil {
				t.Fatal(err)
			}
			p := compileWithBatch(t, m, uint64(200+i))
			defer p.Close()
			per := 12
			if m.ParamCount() <= 6000 { // simplenet, binary: every element
				per = m.ParamCount()
			}
			numericCheck(t, p, per, rand.New(rand.NewPCG(uint64(i), 1)))
		})
	}
}
