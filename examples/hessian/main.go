// Command hessian fits an L2-regularised logistic regression twice: with
// gradient descent, and with Newton-CG, whose conjugate-gradient inner loop
// needs only Hessian-vector products H v (compiler.HVP), never the Hessian
// itself. Newton-CG reaches machine-precision gradients in a handful of
// steps; gradient descent, with the same number of steps, is still far
// away.
//
//	go run ./examples/hessian
//	go run ./examples/hessian -quick
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/ops"
)

// settings are the program's knobs.
type settings struct {
	samples, features, steps int
	lambda, lr               float64
	seed                     uint64
}

// result is what a run found: the gradient norm after each step of each
// method, and the final losses.
type result struct {
	newtonGrad, gdGrad []float64
	newtonLoss, gdLoss float64
	hvps               int // Hessian-vector products Newton-CG used
}

func main() { example.Main() }

// example is the program: its settings, its flags, its quick run and its
// run.
var example = notebook.Example[settings, *result]{
	Name:     "hessian",
	Defaults: settings{samples: 400, features: 8, steps: 8, lambda: 0.05, lr: 2},
	Flags: func(fs *flag.FlagSet, s *settings) {
		notebook.SeedFlag(fs, &s.seed, "the data")
	},
	Quick:      func(s *settings) { s.samples, s.steps = 100, 6 },
	QuickUsage: "a small, fast run (100 samples, 6 steps)",
	Run:        run,
}

// run fits the model with both methods and prints their progress.
func run(s settings, out io.Writer) (*result, error) {
	// Step 1: data. Two overlapping Gaussian classes in s.features
	// dimensions; a column of ones is appended so the weight vector holds
	// the bias.
	x, y := twoClasses(s.samples, s.features, s.seed)
	d := s.features + 1

	// Step 2: the objective, f(w) = mean(bcewithlogits(X w, y)) + λ/2 |w|²,
	// built twice (one graph per method, each with its own weights w = 0).
	gd, err := build(x, y, d, s.lambda)
	if err != nil {
		return nil, err
	}
	nt, err := build(x, y, d, s.lambda)
	if err != nil {
		return nil, err
	}

	// Step 3: gradient descent with a fixed learning rate, on a Program.
	prog, err := compiler.Compile(gd.loss, []*G.Node{gd.w})
	if err != nil {
		return nil, err
	}
	defer prog.Close()
	if err := notebook.BindBatch(prog, x, y); err != nil {
		return nil, err
	}
	res := &result{}
	fmt.Fprintf(out, "gradient descent (lr %g)\n", s.lr)
	for k := 1; k <= s.steps; k++ {
		if err := prog.RunTrain(); err != nil {
			return nil, err
		}
		w, g := prog.Params()[0].Value.Data().([]float64), prog.Params()[0].Grad.Data().([]float64)
		axpy(-s.lr, g, w)
		res.gdGrad = append(res.gdGrad, norm(g))
		fmt.Fprintf(out, "  step %d  loss %.10f  |grad| %.3e (before the step)\n", k, prog.Loss(), norm(g))
	}
	if err := prog.RunLoss(compiler.Training); err != nil {
		return nil, err
	}
	res.gdLoss = prog.Loss()

	// Step 4: Newton-CG on an HVPProgram: each step solves H p = -g by
	// conjugate gradients, one H v per CG iteration, then w += p.
	h, err := compiler.HVP(nt.loss, []*G.Node{nt.w})
	if err != nil {
		return nil, err
	}
	if err := notebook.BindBatch(h, x, y); err != nil {
		return nil, err
	}
	fmt.Fprintln(out, "Newton-CG")
	w := nt.w.Value().Data().([]float64)
	for k := 1; k <= s.steps; k++ {
		p, loss, g, n, err := newtonStep(h, d)
		if err != nil {
			return nil, err
		}
		res.hvps += n
		axpy(1, p, w)
		res.newtonGrad = append(res.newtonGrad, g)
		fmt.Fprintf(out, "  step %d  loss %.10f  |grad| %.3e (before the step, %d H·v)\n", k, loss, g, n)
	}
	if err := h.Run(); err != nil {
		return nil, err
	}
	res.newtonLoss = h.Loss()

	// Step 5: the verdict.
	fmt.Fprintf(out, "after %d steps: gradient descent |grad| %.3e, Newton-CG |grad| %.3e (%d Hessian-vector products, no Hessian)\n",
		s.steps, res.gdGrad[s.steps-1], res.newtonGrad[s.steps-1], res.hvps)
	return res, nil
}

// objective is one graph of f(w).
type objective struct{ loss, w *G.Node }

// build makes f(w) = mean(bcewithlogits(X w, y)) + λ/2 |w|² with w = 0.
func build(x, y *tensor.Dense, d int, lambda float64) (*objective, error) {
	g := G.NewGraph()
	xn, err := compiler.NewInput(g, "x", tensor.Float64, x.Shape()...)
	if err != nil {
		return nil, err
	}
	yn, err := compiler.NewInput(g, "y", tensor.Float64, y.Shape()...)
	if err != nil {
		return nil, err
	}
	w, err := compiler.NewParam(g, "w", tensor.New(tensor.WithShape(d), tensor.WithBacking(make([]float64, d))))
	if err != nil {
		return nil, err
	}
	z, err := G.Mul(xn, w)
	if err != nil {
		return nil, err
	}
	data, err := ops.BCEWithLogits(z, yn)
	if err != nil {
		return nil, err
	}
	pen, err := ops.L2Penalty(lambda, w)
	if err != nil {
		return nil, err
	}
	loss, err := G.Add(data, pen)
	return &objective{loss: loss, w: w}, err
}

// newtonStep solves H p = -g by conjugate gradients (at most d
// iterations, stopping at |r| <= 1e-10 |g|) and returns p, the loss and
// |g| at the current w, and the number of H v products used.
func newtonStep(h *compiler.HVPProgram, d int) (p []float64, loss, gnorm float64, hvps int, err error) {
	v := h.Direction(0).Data().([]float64)
	clear(v)
	if err := h.Run(); err != nil { // H·0: just the loss and the gradient
		return nil, 0, 0, 0, err
	}
	loss, g := h.Loss(), append([]float64(nil), h.Grad(0).Data().([]float64)...)
	gnorm = norm(g)
	p = make([]float64, d)
	r := make([]float64, d)
	axpy(-1, g, r)
	dir := append([]float64(nil), r...)
	rr := dot(r, r)
	for hvps < d && math.Sqrt(rr) > 1e-10*gnorm {
		copy(v, dir)
		if err := h.Run(); err != nil {
			return nil, 0, 0, 0, err
		}
		hvps++
		hd := h.HV(0).Data().([]float64)
		alpha := rr / dot(dir, hd)
		axpy(alpha, dir, p)
		axpy(-alpha, hd, r)
		next := dot(r, r)
		for i := range dir {
			dir[i] = r[i] + next/rr*dir[i]
		}
		rr = next
	}
	return p, loss, gnorm, hvps, nil
}

// twoClasses draws n points per class from N(±0.5, 1) in k dimensions,
// with a trailing 1 per row, and labels 0/1.
func twoClasses(n, k int, seed uint64) (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewPCG(seed, 3))
	xs := make([]float64, 0, n*(k+1))
	ys := make([]float64, n)
	for i := 0; i < n; i++ {
		ys[i] = float64(i % 2)
		for j := 0; j < k; j++ {
			xs = append(xs, rng.NormFloat64()+ys[i]-0.5)
		}
		xs = append(xs, 1)
	}
	return tensor.New(tensor.WithShape(n, k+1), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(n), tensor.WithBacking(ys))
}

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func norm(a []float64) float64 { return math.Sqrt(dot(a, a)) }
