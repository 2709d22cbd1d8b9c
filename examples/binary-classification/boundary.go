package main

import (
	"context"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/examples/internal/notebook"
)

// probGrid is the network's probability of class 1 on a grid of points in
// the original units.
type probGrid struct {
	xs, ys []float64
	p      []float64 // p[r*len(xs)+c]
}

func (g *probGrid) Dims() (c, r int)   { return len(g.xs), len(g.ys) }
func (g *probGrid) X(c int) float64    { return g.xs[c] }
func (g *probGrid) Y(r int) float64    { return g.ys[r] }
func (g *probGrid) Z(c, r int) float64 { return g.p[r*len(g.xs)+c] }

// twoColors is a palette from light blue (class 0) to light orange
// (class 1), for probabilities.
type twoColors []color.Color

func (t twoColors) Colors() []color.Color { return t }

func newTwoColors(n int) twoColors {
	a, b := color.RGBA{170, 200, 235, 255}, color.RGBA{250, 200, 150, 255}
	out := make(twoColors, n)
	for i := range out {
		f := float64(i) / float64(n-1)
		mix := func(x, y uint8) uint8 { return uint8(float64(x)*(1-f) + float64(y)*f) }
		out[i] = color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
	}
	return out
}

// plotBoundary draws P(class 1) over the plane as colour, the p = 0.5
// decision boundary as a line, and the test points by class, circling
// those the network gets wrong.
func (nb *notebookRun) plotBoundary(path string) error {
	raw, err := nb.scaler.InverseTransform(nb.sp.Test.X) // the test points in the original units
	if err != nil {
		return err
	}
	pts := raw.Data().([]float64)
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for i, v := range pts {
		lo[i%2], hi[i%2] = math.Min(lo[i%2], v), math.Max(hi[i%2], v)
	}
	const n = 120
	g := &probGrid{}
	for k := range n {
		g.xs = append(g.xs, lo[0]-0.5+(hi[0]-lo[0]+1)*float64(k)/(n-1))
		g.ys = append(g.ys, lo[1]-0.5+(hi[1]-lo[1]+1)*float64(k)/(n-1))
	}
	grid := make([]float64, 0, 2*n*n)
	for _, y := range g.ys {
		for _, x := range g.xs {
			grid = append(grid, x, y)
		}
	}
	// The grid goes through the same standardization as the training data.
	gx, err := nb.scaler.Transform(tensor.New(tensor.WithShape(n*n, 2), tensor.WithBacking(grid)))
	if err != nil {
		return err
	}
	logits, err := nb.trainer.Predict(context.Background(), gx)
	if err != nil {
		return err
	}
	for _, z := range logits.Data().([]float64) {
		g.p = append(g.p, 1/(1+math.Exp(-z)))
	}

	p := notebook.NewPlot(fmt.Sprintf("decision boundary on the test split (accuracy %.3f)", nb.res.accuracy), "x₀", "x₁")
	heat := plotter.NewHeatMap(g, newTwoColors(32))
	heat.Min, heat.Max, heat.Rasterized = 0, 1, true
	p.Add(heat)
	boundary := notebook.ContourLines{Grid: g, Levels: []float64{0.5}, Style: draw.LineStyle{Color: color.Black, Width: vg.Points(1.5)}}
	p.Add(boundary)
	p.Legend.Add("p = 0.5 boundary", &plotter.Line{LineStyle: boundary.Style})
	var byClass [2]plotter.XYs
	var wrong plotter.XYs
	for i, c := range nb.labels {
		pt := plotter.XY{X: pts[2*i], Y: pts[2*i+1]}
		byClass[c] = append(byClass[c], pt)
		if nb.pred[i] != c {
			wrong = append(wrong, pt)
		}
	}
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}}
	for c, xy := range byClass {
		label := fmt.Sprintf("class %d (%s)", c, nb.classes[c])
		if err := notebook.AddMarks(p, notebook.Marks{Label: label, XY: xy, Color: notebook.Color(c), Shape: shapes[c], Radius: vg.Points(3)}); err != nil {
			return err
		}
	}
	if len(wrong) > 0 {
		if err := notebook.AddMarks(p, notebook.Marks{Label: "misclassified", XY: wrong, Color: color.Black, Shape: draw.RingGlyph{}, Radius: vg.Points(6)}); err != nil {
			return err
		}
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = g.xs[0], g.xs[n-1], g.ys[0], g.ys[n-1]
	return notebook.SaveLegendRight(path, 9*vg.Inch, 6*vg.Inch, p)
}
