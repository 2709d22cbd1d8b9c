package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/gradcheck"
	"github.com/symgrad/symgrad/optimizers"
)

// forward runs the program once and prints every intermediate value.
func (n *net) forward(out io.Writer, res *result, _ settings) error {
	notebook.Step(out, 2, "a forward pass, value by value")
	// RunTrain runs the forward graph and then the gradient subgraph; the
	// intermediate nodes z1, h and ŷ were compiled as outputs, so their
	// values can be read back.
	if err := n.prog.RunTrain(); err != nil {
		return err
	}
	n.lossBefore = n.prog.Loss()
	res.lossBefore = n.lossBefore
	matrix(out, "x", n.x)
	matrix(out, "W1", n.value(0))
	matrix(out, "b1", n.value(1))
	matrix(out, "z1 = x@W1+b1", n.prog.Output(0))
	matrix(out, "h = tanh(z1)", n.prog.Output(1))
	matrix(out, "W2", n.value(2))
	matrix(out, "b2", n.value(3))
	matrix(out, "ŷ = h@W2+b2", n.prog.Output(2))
	matrix(out, "y = x₀·x₁", n.y)
	fmt.Fprintf(out, "  L = mean((ŷ - y)²) = %.6f\n", n.lossBefore)
	return nil
}

// value returns parameter i's current value.
func (n *net) value(i int) *tensor.Dense { return n.prog.Params()[i].Value }

// backward applies the chain rule by hand, from the loss back to W1, and
// compares every gradient with the one the symbolic gradient subgraph
// computed in the same RunTrain.
func (n *net) backward(out io.Writer, res *result, _ settings) error {
	notebook.Step(out, 3, "the backward pass by hand, against the symbolic gradients")
	x, y := n.x.Data().([]float64), n.y.Data().([]float64)
	h := n.prog.Output(1).Data().([]float64)
	yhat := n.prog.Output(2).Data().([]float64)
	w2 := n.value(2).Data().([]float64)
	// dL/dŷ = 2(ŷ - y)/N: the derivative of the mean of squares.
	dy := make([]float64, batch)
	for i := range dy {
		dy[i] = 2 * (yhat[i] - y[i]) / batch
	}
	// Output layer: dL/dW2 = hᵀ·dL/dŷ, dL/db2 = Σ over the batch of dL/dŷ,
	// and the error sent back to the hidden layer dL/dh = dL/dŷ·W2ᵀ.
	dW2, db2 := make([]float64, hidden), []float64{0}
	dh := make([]float64, batch*hidden)
	for i := range batch {
		db2[0] += dy[i]
		for j := range hidden {
			dW2[j] += h[i*hidden+j] * dy[i]
			dh[i*hidden+j] = dy[i] * w2[j]
		}
	}
	// Through tanh: dL/dz1 = dL/dh ⊙ (1 - h²). Then the first layer:
	// dL/dW1 = xᵀ·dL/dz1 and dL/db1 = Σ over the batch of dL/dz1.
	dz1 := make([]float64, batch*hidden)
	dW1, db1 := make([]float64, inputs*hidden), make([]float64, hidden)
	for i := range batch {
		for j := range hidden {
			dz1[i*hidden+j] = dh[i*hidden+j] * (1 - h[i*hidden+j]*h[i*hidden+j])
			db1[j] += dz1[i*hidden+j]
			for k := range inputs {
				dW1[k*hidden+j] += x[i*inputs+k] * dz1[i*hidden+j]
			}
		}
	}
	show := func(name string, shape []int, v []float64) {
		matrix(out, name, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v)))
	}
	show("dL/dŷ", []int{batch, 1}, dy)
	show("dL/dh", []int{batch, hidden}, dh)
	show("dL/dz1", []int{batch, hidden}, dz1)
	fmt.Fprintln(out, "\n  Each gradient by hand (the chain rule above) and from the program's gradient subgraph:")
	for i, hand := range [][]float64{dW1, db1, dW2, db2} {
		sym := n.prog.Params()[i].Grad.Data().([]float64)
		d := 0.0
		for j := range hand {
			d = math.Max(d, math.Abs(hand[j]-sym[j]))
		}
		res.maxHandDiff = math.Max(res.maxHandDiff, d)
		fmt.Fprintf(out, "  %-7s by hand  %s\n          symbolic %s  max |diff| %.1e\n", "dL/d"+n.names[i], row(hand), row(sym), d)
	}
	return nil
}

// row writes values on one line.
func row(v []float64) string {
	s := ""
	for _, x := range v {
		s += fmt.Sprintf(" %+.6f", x)
	}
	return s
}

// sgdStep takes one SGD step θ ← θ - lr·∇L and runs the forward pass again.
func (n *net) sgdStep(out io.Writer, res *result, s settings) error {
	notebook.Step(out, 4, fmt.Sprintf("one SGD step, θ ← θ - %g·∇L", s.lr))
	sgd, err := optimizers.NewSGD(optimizers.SGDConfig{LR: s.lr})
	if err != nil {
		return err
	}
	params := optimizers.ParamsOf(n.prog)
	// To first order the loss falls by lr·‖∇L‖², the squared norm of the
	// gradient over every parameter.
	g2 := math.Pow(optimizers.GradNorm(params, 2), 2)
	n.theta0, n.grad0, n.gradSq = nil, nil, g2
	for _, p := range params {
		n.theta0 = append(n.theta0, p.Value.Clone().(*tensor.Dense))
		n.grad0 = append(n.grad0, p.Grad.Clone().(*tensor.Dense))
	}
	if err := sgd.Step(params); err != nil {
		return err
	}
	if err := n.prog.RunLoss(compiler.Training); err != nil {
		return err
	}
	res.lossAfter = n.prog.Loss()
	fmt.Fprintf(out, "  loss before %.6f\n  loss after  %.6f\n  change      %+.6f (first-order prediction -lr·‖∇L‖² = %+.6f)\n",
		res.lossBefore, res.lossAfter, res.lossAfter-res.lossBefore, -s.lr*g2)
	matrix(out, "W1 after", n.value(0))
	return nil
}

// check compares the symbolic gradients with central differences
// (f(θ+ε) - f(θ-ε))/2ε, element by element.
func (n *net) check(out io.Writer, res *result, s settings) error {
	notebook.Step(out, 5, "symbolic against numeric gradients (gradcheck, at the new point)")
	r, err := gradcheck.CheckProgram(n.prog, gradcheck.Config{Seed: s.seed})
	if err != nil {
		return err
	}
	res.gradcheckOK = r.OK()
	if err := gradcheck.WriteTable(out, []*gradcheck.Report{r}); err != nil {
		return err
	}
	if !r.OK() {
		return fmt.Errorf("gradcheck failed: %s", r.Verdict)
	}
	return nil
}

// save writes the program listing, its Graphviz graph, and the loss along
// the negative gradient from the point before the SGD step.
func (n *net) save(out io.Writer, res *result, s settings) error {
	notebook.Step(out, 6, "files")
	dir, err := notebook.OutDir(s.out, "backprop")
	if err != nil {
		return err
	}
	text, dot := filepath.Join(dir, "program.txt"), filepath.Join(dir, "program.dot")
	if err := os.WriteFile(text, []byte(n.prog.Text()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(dot, []byte(n.prog.DOT()), 0o644); err != nil {
		return err
	}
	png := filepath.Join(dir, "sgd_step.png")
	if err := n.plotStep(png, s, res.lossAfter); err != nil {
		return err
	}
	res.files = []string{text, dot, png}
	notebook.Wrote(out, res.files...)
	return nil
}

// plotStep draws L(θ0 - η∇L) against the step size η, with the tangent
// line L0 - η‖∇L‖² and the step taken, then puts the parameters back where
// the SGD step left them.
func (n *net) plotStep(path string, s settings, lossAfter float64) error {
	params := n.prog.Params()
	after := make([][]float64, len(params))
	for i, p := range params {
		after[i] = append([]float64(nil), p.Value.Data().([]float64)...)
	}
	defer func() {
		for i, p := range params {
			copy(p.Value.Data().([]float64), after[i])
		}
	}()
	points := 121
	if s.quick {
		points = 31
	}
	maxEta := 3 * s.lr
	var curve, tangent plotter.XYs
	for k := range points {
		eta := maxEta * float64(k) / float64(points-1)
		for i, p := range params {
			v, t0, g := p.Value.Data().([]float64), n.theta0[i].Data().([]float64), n.grad0[i].Data().([]float64)
			for j := range v {
				v[j] = t0[j] - eta*g[j]
			}
		}
		if err := n.prog.RunLoss(compiler.Evaluation); err != nil {
			return err
		}
		curve = append(curve, plotter.XY{X: eta, Y: n.prog.Loss()})
		if lin := n.lossBefore - eta*n.gradSq; lin > 0 {
			tangent = append(tangent, plotter.XY{X: eta, Y: lin})
		}
	}
	p := notebook.NewPlot("one SGD step: the loss along the negative gradient g = dL/dθ", "step size η", "loss L(θ - η g)")
	err := notebook.Add(p,
		notebook.Series{Label: "loss", XY: curve, Color: 0},
		notebook.Series{Label: "first order: L(θ) - η ‖g‖²", XY: tangent, Color: 1, Dashed: true},
	)
	if err != nil {
		return err
	}
	taken := notebook.Marks{Label: fmt.Sprintf("the step taken (η = %g)", s.lr), XY: plotter.XYs{{X: s.lr, Y: lossAfter}}, Color: notebook.Color(3), Radius: vg.Points(5)}
	if err := notebook.AddMarks(p, taken); err != nil {
		return err
	}
	return notebook.Save(path, 7*vg.Inch, 4.5*vg.Inch, p)
}
