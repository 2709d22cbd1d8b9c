package notebook

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/symgrad/symgrad/internal/atomicfile"
)

// The layouts in which the examples save their plots: panels side by side,
// a grid of panels, or panels with the legend in a column of its own; on a
// white background at 96 dpi, written whole or not at all.

// Save draws the panels side by side in one PNG at path, each panel width
// wide and height high, on a white background.
func Save(path string, width, height vg.Length, panels ...*plot.Plot) error {
	return SaveGrid(path, width, height, [][]*plot.Plot{panels})
}

// SaveGrid draws rows of panels (nil cells stay blank) in one PNG at path,
// each panel width wide and height high, on a white background.
func SaveGrid(path string, width, height vg.Length, rows [][]*plot.Plot) error {
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return fmt.Errorf("%s: nothing to plot", path)
	}
	img := vgimg.NewWith(vgimg.UseWH(width*vg.Length(cols), height*vg.Length(len(rows))), vgimg.UseDPI(96),
		vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(rows), Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	// Each panel is drawn in its own tile (not with plot.Align, which
	// stretches the canvases to line up the data areas and so moves the
	// titles and legends out of line).
	for i, r := range rows {
		for j, p := range r {
			if p != nil {
				p.Draw(tiles.At(dc, j, i))
			}
		}
	}
	return savePNG(path, img)
}

// SaveLegendRight draws panels side by side in one PNG at path, width
// wide and height high in all, with the first panel's legend in a column
// of its own at the right, out of the way of the data (for plots whose
// every corner is busy, or panels that share their series); the other
// panels' legends are not drawn.
func SaveLegendRight(path string, width, height vg.Length, panels ...*plot.Plot) error {
	if len(panels) == 0 {
		return fmt.Errorf("%s: nothing to plot", path)
	}
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(96), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	legendWidth := 1.6 * vg.Inch
	legend := panels[0].Legend
	legend.Top, legend.Left = true, true
	legend.Draw(draw.Crop(dc, width-legendWidth, 0, vg.Inch/2, -vg.Inch/2))
	saved := make([]plot.Legend, len(panels))
	for i, p := range panels {
		saved[i], p.Legend = p.Legend, plot.NewLegend()
	}
	defer func() {
		for i, p := range panels {
			p.Legend = saved[i]
		}
	}()
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Millimeter * 6, PadY: vg.Millimeter * 2,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	area := draw.Crop(dc, 0, -legendWidth, 0, 0)
	for i, p := range panels {
		p.Draw(tiles.At(area, i, 0))
	}
	return savePNG(path, img)
}

// savePNG writes img to path as a PNG, whole or not at all.
func savePNG(path string, img *vgimg.Canvas) error {
	err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("saving a plot to %s: %w", path, err)
	}
	return nil
}
