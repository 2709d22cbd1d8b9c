package main

import (
	"fmt"
	"image/color"
	"io"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/compiler/expr"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/optimizers"
)

// testFunction is a 2-D function f(x, y) to minimise, written in the
// expression language, with a start, its minimum and a plot window.
type testFunction struct {
	name, title, formula string
	start, min           [2]float64
	xr, yr               [2]float64 // plot window
	lr                   func(rule) float64
	eval                 func(x, y float64) float64 // f in plain Go, for the contour grid
}

// testFunctions are Rosenbrock's banana-shaped valley, whose floor is easy
// to reach and slow to follow, and Beale's function, with steep walls and
// flat plateaus.
var testFunctions = []testFunction{
	{
		name: "rosenbrock", title: "Rosenbrock's valley",
		formula: "(1 - x)^2 + 100*(y - x^2)^2",
		start:   [2]float64{-1.2, 1}, min: [2]float64{1, 1},
		xr: [2]float64{-2, 2}, yr: [2]float64{-1, 3},
		lr:   func(r rule) float64 { return r.lrRosen },
		eval: func(x, y float64) float64 { return (1-x)*(1-x) + 100*(y-x*x)*(y-x*x) },
	},
	{
		name: "beale", title: "Beale's function",
		formula: "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
		start:   [2]float64{1, 1.4}, min: [2]float64{3, 0.5},
		xr: [2]float64{-1, 4.5}, yr: [2]float64{-1.5, 2},
		lr: func(r rule) float64 { return r.lrBeale },
		eval: func(x, y float64) float64 {
			a, b, c := 1.5-x+x*y, 2.25-x+x*y*y, 2.625-x+x*y*y*y
			return a*a + b*b + c*c
		},
	},
}

// raceOn minimises f with every rule from f.start for steps steps and
// returns the final values and the paths, in the order of rules. A rule
// whose iterate overflows is stopped there.
func raceOn(f testFunction, steps int, out io.Writer) (map[string]float64, []plotter.XYs, error) {
	// The function is parsed and built on a graph with x and y as the two
	// parameters (vectors of one element), then compiled: the gradient
	// comes from G.Grad, as a network's does.
	g := G.NewGraph()
	vars := map[string]*G.Node{}
	for i, name := range []string{"x", "y"} {
		v := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{f.start[i]}))
		n, err := compiler.NewParam(g, name, v)
		if err != nil {
			return nil, nil, err
		}
		vars[name] = n
	}
	e, err := expr.Parse("sum(" + f.formula + ")")
	if err != nil {
		return nil, nil, err
	}
	loss, err := expr.Build(g, e, vars)
	if err != nil {
		return nil, nil, err
	}
	prog, err := compiler.Compile(loss, []*G.Node{vars["x"], vars["y"]})
	if err != nil {
		return nil, nil, err
	}
	defer prog.Close()
	fmt.Fprintf(out, "  f(x, y) = %s, minimum f(%g, %g) = 0, start (%g, %g)\n", f.formula, f.min[0], f.min[1], f.start[0], f.start[1])
	fmt.Fprintf(out, "  df/dx = %s\n  df/dy = %s\n", expr.Format(prog.GradNode(0)), expr.Format(prog.GradNode(1)))
	fmt.Fprintf(out, "  %-9s %8s %12s %22s %s\n", "rule", "lr", "final f", "final (x, y)", "distance to minimum")
	end := map[string]float64{}
	var paths []plotter.XYs
	for _, r := range rules {
		path, fx, err := descend(prog, r, f, steps)
		if err != nil {
			return nil, nil, fmt.Errorf("%s on %s: %w", r.name, f.name, err)
		}
		last := path[len(path)-1]
		end[r.name] = fx
		paths = append(paths, path)
		dist := math.Hypot(last.X-f.min[0], last.Y-f.min[1])
		fmt.Fprintf(out, "  %-9s %8g %12.3g %22s %.3g\n", r.name, f.lr(r), fx, fmt.Sprintf("(%.4f, %.4f)", last.X, last.Y), dist)
	}
	return end, paths, nil
}

// descend runs steps updates of rule r from f.start and returns the path
// and the final value of f. A non-finite value ends the path early (the
// compiler's NaN guard reports it as an error, which here means "diverged").
func descend(prog *compiler.Program, r rule, f testFunction, steps int) (plotter.XYs, float64, error) {
	params := optimizers.ParamsOf(prog)
	for i, p := range params {
		p.Value.Data().([]float64)[0] = f.start[i]
	}
	opt, err := r.make(f.lr(r))
	if err != nil {
		return nil, 0, err
	}
	at := func() plotter.XY {
		return plotter.XY{X: params[0].Value.Data().([]float64)[0], Y: params[1].Value.Data().([]float64)[0]}
	}
	path := plotter.XYs{at()}
	for range steps {
		if err := prog.RunTrain(); err != nil {
			return path, math.Inf(1), nil
		}
		if err := opt.Step(params); err != nil {
			return nil, 0, err
		}
		path = append(path, at())
	}
	last := path[len(path)-1]
	return path, f.eval(last.X, last.Y), nil
}

// grid samples f on a plot window for the contour lines, as log(1 + f) so
// that the levels spread over the valley floor as well as the walls.
type grid struct {
	f      testFunction
	nx, ny int
}

func (g grid) Dims() (c, r int) { return g.nx, g.ny }
func (g grid) X(c int) float64  { return g.f.xr[0] + (g.f.xr[1]-g.f.xr[0])*float64(c)/float64(g.nx-1) }
func (g grid) Y(r int) float64  { return g.f.yr[0] + (g.f.yr[1]-g.f.yr[0])*float64(r)/float64(g.ny-1) }
func (g grid) Z(c, r int) float64 {
	return math.Log1p(g.f.eval(g.X(c), g.Y(r)))
}

// plotPaths draws the contour lines of f and every rule's path over them.
func plotPaths(path string, f testFunction, paths []plotter.XYs) error {
	p := notebook.NewPlot(f.title+": paths of the update rules (contours of log(1 + f))", "x", "y")
	gr := grid{f: f, nx: 120, ny: 120}
	var levels []float64
	for v := 0.25; v < 14; v += 0.75 {
		levels = append(levels, v)
	}
	p.Add(notebook.ContourLines{Grid: gr, Levels: levels, Style: draw.LineStyle{Color: color.Gray{Y: 190}, Width: vg.Points(0.6)}})
	for i, pts := range paths {
		// Clip each path to the window: a diverging rule leaves it.
		var in plotter.XYs
		for _, pt := range pts {
			if pt.X < f.xr[0] || pt.X > f.xr[1] || pt.Y < f.yr[0] || pt.Y > f.yr[1] {
				break
			}
			in = append(in, pt)
		}
		if err := notebook.Add(p, notebook.Series{Label: rules[i].name, XY: in, Color: i, Dashed: i >= 5}); err != nil {
			return err
		}
	}
	marks := notebook.Marks{Label: "start and minimum", XY: plotter.XYs{{X: f.start[0], Y: f.start[1]}, {X: f.min[0], Y: f.min[1]}},
		Shape: draw.CrossGlyph{}, Radius: vg.Points(5)}
	if err := notebook.AddMarks(p, marks); err != nil {
		return err
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = f.xr[0], f.xr[1], f.yr[0], f.yr[1]
	return notebook.SaveLegendRight(path, 8.5*vg.Inch, 6*vg.Inch, p)
}
