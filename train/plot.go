package train

import (
	"image/color"
	"io"
	"math"
	"strings"

	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/symgrad/symgrad/internal/atomicfile"
	"github.com/symgrad/symgrad/internal/panics"
)

// palette holds matplotlib's ten default colours (C0, C1, ...): train
// curves blue, validation orange, then per-parameter curves in order. The
// examples' plots use it too (Color), on NewPlot's plots.
var palette = [...]color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
	{188, 189, 34, 255}, {23, 190, 207, 255},
}

// Color returns colour i of the plot palette, matplotlib's ten default
// colours C0, C1, ... (wrapping around; a negative i counts as its
// absolute value): the colours of PlotHistory's and the gradient-flow
// plots' curves.
func Color(i int) color.RGBA {
	if i < 0 {
		i = -i
	}
	return palette[i%len(palette)]
}

// PlotHistory draws the learning curves of h into a PNG file at path: one
// panel per quantity (loss first, then each metric), each with the
// training curve (solid) and the validation curve (dashed) against the
// epoch, axes labelled and a legend. The file is written atomically.
func PlotHistory(h *History, path string) (err error) {
	defer panics.Recover(&err, "train: plotting the history to %s", path)
	if h == nil {
		return errors.Errorf("train: plotting the history to %s: nil history", path)
	}
	if len(h.Epochs) == 0 {
		return errors.Errorf("train: plotting the history to %s: no epochs", path)
	}
	var panels []*plot.Plot
	for _, name := range h.Columns {
		if strings.HasPrefix(name, "val_") {
			continue
		}
		p := NewPlot(name, "epoch", name)
		if err := addCurve(p, "train", h, name, 0, false); err != nil {
			return err
		}
		if h.Series("val_"+name) != nil {
			if err := addCurve(p, "validation", h, "val_"+name, 1, true); err != nil {
				return err
			}
		}
		p.Legend.Top = !risesToEnd(h.Series(name))
		panels = append(panels, p)
	}
	return errors.Wrapf(savePNG(path, panels, 6*vg.Inch, nil), "train: plotting the history")
}

// risesToEnd reports whether the series ends in the upper half of its
// range (an accuracy), where a legend at the top would cover it.
func risesToEnd(v []float64) bool {
	lo, hi, last := math.Inf(1), math.Inf(-1), math.NaN()
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo, hi, last = math.Min(lo, x), math.Max(hi, x), x
		}
	}
	return last > (lo+hi)/2
}

// NewPlot returns a plot in the style of PlotHistory's panels: a title,
// axis labels, a grid and the legend at the top right. The examples draw
// their own plots on it, so that every plot of the project looks alike.
func NewPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p
}

// addCurve adds h's column name against the epoch as a line with points.
func addCurve(p *plot.Plot, label string, h *History, name string, colour int, dashed bool) error {
	var xys plotter.XYs
	for i, v := range h.Series(name) {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			xys = append(xys, plotter.XY{X: float64(h.Epochs[i].Epoch), Y: v})
		}
	}
	return addLine(p, &p.Legend, label, xys, colour, dashed)
}

// addLine adds a line with points in palette colour colour to p, and its
// entry to legend.
func addLine(p *plot.Plot, legend *plot.Legend, label string, xys plotter.XYs, colour int, dashed bool) error {
	if len(xys) == 0 {
		return nil
	}
	l, s, err := plotter.NewLinePoints(xys)
	if err != nil {
		return errors.Wrapf(err, "curve %q", label)
	}
	c := Color(colour)
	l.Color, s.Color = c, c
	l.Width = vg.Points(1.5)
	s.Radius = vg.Points(2)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	}
	p.Add(l, s)
	legend.Add(label, l, s)
	return nil
}

// savePNG draws panels side by side, each width wide and 4.5 inches high,
// on a white background, with legend (if not nil) in a column of its own
// at the right, and writes the PNG to path atomically.
func savePNG(path string, panels []*plot.Plot, width vg.Length, legend *plot.Legend) error {
	if len(panels) == 0 {
		return errors.Errorf("%s: nothing to plot", path)
	}
	var legendWidth vg.Length
	if legend != nil {
		legendWidth = 1.8 * vg.Inch
	}
	img := vgimg.NewWith(vgimg.UseWH(width*vg.Length(len(panels))+legendWidth, 4.5*vg.Inch), vgimg.UseDPI(96),
		vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	if legend != nil {
		legend.Top, legend.Left = true, true
		legend.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-legendWidth, 0, vg.Inch/2, -vg.Inch/2))
		dc = draw.Crop(dc, 0, -legendWidth, 0, 0)
	}
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align([][]*plot.Plot{panels}, tiles, dc)
	for i, p := range panels {
		p.Draw(canvases[0][i])
	}
	return writeAtomic(path, func(f io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(f)
		return err
	})
}

// writeAtomic writes a file whole or not at all (internal/atomicfile: a
// temporary file renamed over path, symbolic links written through, special
// files refused), naming path in its error.
func writeAtomic(path string, write func(io.Writer) error) error {
	return errors.Wrapf(atomicfile.Write(path, write), "writing %s", path)
}

// HistoryPlotter is a callback that redraws PlotHistory to Path after
// every epoch, so that a long run can be watched and the file holds the
// whole run when it ends.
type HistoryPlotter struct {
	Base
	Path string
}

// OnEpochEnd redraws the plot.
func (p *HistoryPlotter) OnEpochEnd(t *Trainer, _ int, _ Logs) error {
	return PlotHistory(t.History(), p.Path)
}
