package notebook

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ContourLines draws the level lines of Grid at Levels by marching
// squares, cell by cell and level by level, so that the same grid always
// gives the same picture. gonum's plotter.Contour joins its segments into paths through
// maps, and the order it then draws them in (which changes the
// antialiased pixels where lines meet) differs from run to run.
type ContourLines struct {
	Grid   plotter.GridXYZ
	Levels []float64
	Style  draw.LineStyle
}

// Plot implements plot.Plotter.
func (l ContourLines) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	cols, rows := l.Grid.Dims()
	for r := 0; r+1 < rows; r++ {
		for col := 0; col+1 < cols; col++ {
			for _, v := range l.Levels {
				pts := l.crossings(col, r, v)
				for i := 0; i+1 < len(pts); i += 2 {
					a, b := pts[i], pts[i+1]
					c.StrokeLines(l.Style, c.ClipLinesXY([]vg.Point{
						{X: trX(a.X), Y: trY(a.Y)}, {X: trX(b.X), Y: trY(b.Y)}})...)
				}
			}
		}
	}
}

// crossings returns where level v crosses the edges of the cell whose
// lower-left corner is (col, r), walking the edges counterclockwise: 0, 2
// or (at a saddle) 4 points, paired in order.
func (l ContourLines) crossings(col, r int, v float64) []plotter.XY {
	corners := [4][2]int{{col, r}, {col + 1, r}, {col + 1, r + 1}, {col, r + 1}}
	var pts []plotter.XY
	for i := range corners {
		a, b := corners[i], corners[(i+1)%4]
		za, zb := l.Grid.Z(a[0], a[1]), l.Grid.Z(b[0], b[1])
		if (za < v) == (zb < v) {
			continue
		}
		t := (v - za) / (zb - za)
		xa, ya := l.Grid.X(a[0]), l.Grid.Y(a[1])
		xb, yb := l.Grid.X(b[0]), l.Grid.Y(b[1])
		pts = append(pts, plotter.XY{X: xa + t*(xb-xa), Y: ya + t*(yb-ya)})
	}
	return pts
}
