package main

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/examples/internal/notebook"
)

// plotCurves draws each variant's training loss (solid) and validation
// loss (dashed) per epoch, one panel per variant, on a shared log scale.
// The training curve is the mean over the epoch's training steps (in
// training mode: with dropout on, with the noisy inputs).
func plotCurves(path string, outcomes []outcome) error {
	lo, hi := math.Inf(1), math.Inf(-1)
	var panels []*plot.Plot
	for i, o := range outcomes {
		p := notebook.NewPlot(variants[i].name+" (log scale)", "epoch", "MSE")
		notebook.LogY(p)
		var series []notebook.Series
		for k, col := range []string{"loss", "val_loss"} {
			var xy plotter.XYs
			for e, v := range o.history.Series(col) {
				xy = append(xy, plotter.XY{X: float64(e + 1), Y: v})
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			series = append(series, notebook.Series{Label: []string{"train", "validation"}[k], XY: xy, Color: k, Dashed: k == 1})
		}
		if err := notebook.Add(p, series...); err != nil {
			return err
		}
		panels = append(panels, p)
	}
	for _, p := range panels {
		p.Y.Min, p.Y.Max = lo, hi
	}
	return notebook.SaveLegendRight(path, 22*vg.Inch, 4.5*vg.Inch, panels...)
}

// plotFits draws the true function, the training points and every
// variant's fitted function.
func plotFits(path string, tr *data.Dataset, grid *tensor.Dense, outcomes []outcome) error {
	p := notebook.NewPlot("what each network learned from the training points", "x", "y")
	xs := grid.Data().([]float64)
	var truth plotter.XYs
	for _, x := range xs {
		truth = append(truth, plotter.XY{X: x, Y: math.Sin(x)})
	}
	l, err := plotter.NewLine(truth)
	if err != nil {
		return err
	}
	l.Color, l.Width, l.Dashes = color.Black, vg.Points(1), []vg.Length{vg.Points(2), vg.Points(2)}
	p.Add(l)
	p.Legend.Add("sin(x), the truth", l)
	for i, o := range outcomes {
		var xy plotter.XYs
		for k, x := range xs {
			xy = append(xy, plotter.XY{X: x, Y: o.fit[k]})
		}
		if err := notebook.Add(p, notebook.Series{Label: variants[i].name, XY: xy, Color: i}); err != nil {
			return err
		}
	}
	var pts plotter.XYs
	tx, ty := tr.X.Data().([]float64), tr.Y.Data().([]float64)
	for i := range tx {
		pts = append(pts, plotter.XY{X: tx[i], Y: ty[i]})
	}
	if err := notebook.AddMarks(p, notebook.Marks{Label: "training points", XY: pts, Color: color.Black, Shape: draw.CircleGlyph{}, Radius: vg.Points(3)}); err != nil {
		return err
	}
	return notebook.SaveLegendRight(path, 9*vg.Inch, 5*vg.Inch, p)
}
