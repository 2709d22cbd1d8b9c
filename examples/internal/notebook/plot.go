package notebook

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/symgrad/symgrad/train"
)

// Color returns palette colour i (wrapping around): the plot palette
// train owns (train.Color), matplotlib's ten default colours C0, C1, ...
func Color(i int) color.RGBA { return train.Color(i) }

// Series is one line of a plot: its legend label, points, palette colour
// index and whether it is drawn dashed.
type Series struct {
	Label  string
	XY     plotter.XYs
	Color  int
	Dashed bool
	Points bool // also mark every point
}

// NewPlot returns a plot with a title, axis labels, a grid and its legend
// at the top right: train.NewPlot, the style of train's own plots.
func NewPlot(title, x, y string) *plot.Plot { return train.NewPlot(title, x, y) }

// LogY puts p's y axis on a log scale with LogTicks.
func LogY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = LogTicks{}
}

// LogTicks marks a log axis with powers of ten, labelled 1e-05, 0.001, 1,
// 100, 1e+06 (every k-th decade labelled when there are more than eight),
// and with 2 and 5 times them as well when the axis spans less than two
// decades.
type LogTicks struct{}

// Ticks returns the ticks between lo and hi.
func (LogTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return nil
	}
	a, b := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	every := max(1, (b-a+7)/8)
	mults := []float64{1}
	if b-a <= 2 {
		mults = []float64{1, 2, 5}
	}
	var ticks []plot.Tick
	for k := a; k <= b; k++ {
		for _, m := range mults {
			v := m * math.Pow(10, float64(k))
			if v < lo || v > hi {
				continue
			}
			label := ""
			if m != 1 || (k-a)%every == 0 {
				label = strconv.FormatFloat(v, 'g', 3, 64)
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: label})
		}
	}
	return ticks
}

// Add draws the series on p and adds their legend entries. Points that are
// not finite (or not positive on a log y axis) are left out.
func Add(p *plot.Plot, series ...Series) error {
	_, logY := p.Y.Scale.(plot.LogScale)
	for _, s := range series {
		var xys plotter.XYs
		for _, pt := range s.XY {
			if finite(pt.X) && finite(pt.Y) && (!logY || pt.Y > 0) {
				xys = append(xys, pt)
			}
		}
		if len(xys) == 0 {
			continue
		}
		l, sc, err := plotter.NewLinePoints(xys)
		if err != nil {
			return fmt.Errorf("plot %q, series %q: %w", p.Title.Text, s.Label, err)
		}
		l.Color, sc.Color = Color(s.Color), Color(s.Color)
		l.Width, sc.Radius = vg.Points(1.5), vg.Points(2)
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		}
		if !s.Points {
			p.Add(l)
			p.Legend.Add(s.Label, l)
			continue
		}
		p.Add(l, sc)
		p.Legend.Add(s.Label, l, sc)
	}
	return nil
}

// Marks is a set of points drawn as glyphs, without a line: a legend
// label, the points, and their colour, glyph and radius (each left at
// gonum's default, a black circle of radius 2.5 points, when zero).
type Marks struct {
	Label  string
	XY     plotter.XYs
	Color  color.Color
	Shape  draw.GlyphDrawer
	Radius vg.Length
}

// AddMarks draws the marks on p and adds their legend entry.
func AddMarks(p *plot.Plot, m Marks) error {
	sc, err := plotter.NewScatter(m.XY)
	if err != nil {
		return fmt.Errorf("plot %q, marks %q: %w", p.Title.Text, m.Label, err)
	}
	if m.Color != nil {
		sc.Color = m.Color
	}
	if m.Shape != nil {
		sc.Shape = m.Shape
	}
	if m.Radius != 0 {
		sc.Radius = m.Radius
	}
	p.Add(sc)
	p.Legend.Add(m.Label, sc)
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
