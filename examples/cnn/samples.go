package main

import (
	"fmt"
	"image"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/examples/internal/notebook"
)

// plotSamples draws 12 test images with their predicted and true classes
// in a 2x6 grid: up to 4 mistakes (titled in red) first, then the first
// images the network gets right.
func plotSamples(path string, test *data.Dataset, names []string, pred []int) error {
	const rows, cols = 2, 6
	labels := test.Y.Int64s()
	px := test.X.Data().([]float64)
	var wrong, right []int
	for i, p := range pred {
		if p != int(labels[i]) && len(wrong) < 4 {
			wrong = append(wrong, i)
		} else if p == int(labels[i]) {
			right = append(right, i)
		}
	}
	show := append(wrong, right...)
	grid := make([][]*plot.Plot, rows)
	for slot, i := range show[:min(rows*cols, len(show))] {
		img := image.NewGray(image.Rect(0, 0, 28, 28))
		for k := range 784 {
			// Ink is dark on white, as on paper.
			img.Pix[k] = uint8(255 * (1 - min(max(px[i*784+k], 0), 1)))
		}
		p := plot.New()
		verdict := "right"
		if pred[i] != int(labels[i]) {
			verdict = "WRONG"
			p.Title.TextStyle.Color = color.RGBA{200, 0, 0, 255}
		}
		p.Title.Text = fmt.Sprintf("predicted %s\ntrue %s (%s)", className(names, pred[i]), names[labels[i]], verdict)
		p.X.Label.Text, p.Y.Label.Text = "pixel column", "pixel row (0 at the bottom)"
		p.Add(plotter.NewImage(img, 0, 0, 28, 28))
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 28, 0, 28
		grid[slot/cols] = append(grid[slot/cols], p)
	}
	return notebook.SaveGrid(path, 2.6*vg.Inch, 3*vg.Inch, grid)
}

// className names class k, or "class k" for a logit with no class (LeNet
// has 10 outputs whatever the number of classes).
func className(names []string, k int) string {
	if k < len(names) {
		return names[k]
	}
	return fmt.Sprintf("class %d", k)
}
