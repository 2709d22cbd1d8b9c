package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/examples/internal/notebook"
)

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
