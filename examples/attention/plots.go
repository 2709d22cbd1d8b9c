package main

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/symgrad/symgrad/examples/internal/notebook"
)

// plotLoss draws the training loss per step (and its moving average over
// 25 steps) on a log axis, with the loss of guessing uniformly, ln 10.
func plotLoss(path string, losses []float64) error {
	p := notebook.NewPlot("reversing digits: training loss", "step", "cross-entropy (log scale)")
	notebook.LogY(p)
	p.Legend.Top, p.Legend.Left = true, false
	p.Legend.YOffs = -1.1 * vg.Inch // below the ln 10 line, above the falling curves
	var raw, avg plotter.XYs
	sum := 0.0
	for i, l := range losses {
		raw = append(raw, plotter.XY{X: float64(i + 1), Y: l})
		sum += l
		if i >= 25 {
			sum -= losses[i-25]
		}
		avg = append(avg, plotter.XY{X: float64(i + 1), Y: sum / float64(min(i+1, 25))})
	}
	chance := plotter.XYs{{X: 1, Y: 2.302585}, {X: float64(len(losses)), Y: 2.302585}}
	return notebook.Save(path, 7*vg.Inch, 4.5*vg.Inch, withSeries(p,
		notebook.Series{Label: "loss per step", XY: raw, Color: 0},
		notebook.Series{Label: "mean of the last 25 steps", XY: avg, Color: 1},
		notebook.Series{Label: "uniform guess (ln 10)", XY: chance, Color: 7, Dashed: true}))
}

func withSeries(p *plot.Plot, s ...notebook.Series) *plot.Plot {
	if err := notebook.Add(p, s...); err != nil {
		p.Title.Text += " (" + err.Error() + ")"
	}
	return p
}

// grid is an L×L matrix of attention weights as a plotter.GridXYZ:
// column = key position, row = query position (row 0 at the top).
type grid struct {
	w []float64
	l int
}

func (g grid) Dims() (c, r int)   { return g.l, g.l }
func (g grid) Z(c, r int) float64 { return g.w[(g.l-1-r)*g.l+c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// plotAttention draws the head-averaged attention weights of one sequence
// as a heat map: query positions down, key positions across, each tick
// labelled with its position and digit.
func plotAttention(path string, w []float64, seq []int) error {
	l := len(seq)
	p := plot.New()
	p.Title.Text = "attention weights (mean over 4 heads) of the worked example"
	p.X.Label.Text = "key position: digit"
	p.Y.Label.Text = "query (output) position: target digit"
	pal := moreland.SmoothBlueRed()
	pal.SetMin(0)
	pal.SetMax(1)
	h := plotter.NewHeatMap(grid{w: w, l: l}, pal.Palette(64))
	h.Min, h.Max = 0, 1
	p.Add(h)
	var xt, yt []plot.Tick
	for i := range l {
		xt = append(xt, plot.Tick{Value: float64(i), Label: fmt.Sprintf("%d: %d", i, seq[i])})
		yt = append(yt, plot.Tick{Value: float64(l - 1 - i), Label: fmt.Sprintf("%d: %d", i, seq[l-1-i])})
	}
	p.X.Tick.Marker = plot.ConstantTicks(xt)
	p.Y.Tick.Marker = plot.ConstantTicks(yt)
	for r := range l { // the value in each cell
		for c := range l {
			labels, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: float64(c), Y: float64(l - 1 - r)}},
				Labels: []string{fmt.Sprintf("%.2f", w[r*l+c])}})
			if err != nil {
				return err
			}
			labels.TextStyle[0].XAlign, labels.TextStyle[0].YAlign = -0.5, -0.5
			labels.TextStyle[0].Font.Size = vg.Points(7)
			p.Add(labels)
		}
	}
	return notebook.Save(path, 6.5*vg.Inch, 6*vg.Inch, p)
}
