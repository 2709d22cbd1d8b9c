package notebook

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// bowl is z = x² + y² sampled on [-1, 1]², n points a side.
type bowl struct{ n int }

func (b bowl) Dims() (c, r int)   { return b.n, b.n }
func (b bowl) X(c int) float64    { return -1 + 2*float64(c)/float64(b.n-1) }
func (b bowl) Y(r int) float64    { return -1 + 2*float64(r)/float64(b.n-1) }
func (b bowl) Z(c, r int) float64 { x, y := b.X(c), b.Y(r); return x*x + y*y }

func TestContourCrossingsLieOnTheLevel(t *testing.T) {
	l := ContourLines{Grid: bowl{n: 41}, Levels: []float64{0.25}}
	var n int
	for r := 0; r < 40; r++ {
		for c := 0; c < 40; c++ {
			pts := l.crossings(c, r, 0.25)
			if len(pts)%2 != 0 {
				t.Fatalf("cell (%d, %d): %d crossings, want an even count", c, r, len(pts))
			}
			for _, p := range pts {
				// Linear interpolation along a cell edge of 0.05 is within
				// 0.05² of the circle of radius 0.5.
				if rad := math.Hypot(p.X, p.Y); math.Abs(rad-0.5) > 0.01 {
					t.Errorf("cell (%d, %d): crossing %v at radius %g, want 0.5", c, r, p, rad)
				}
			}
			n += len(pts)
		}
	}
	if n == 0 {
		t.Fatal("no crossings of the level 0.25 of x² + y²")
	}
}

// valley is log(1 + Rosenbrock's function) on [-2, 2] x [-1, 3], the
// optimizers example's grid, whose contours gonum's plotter.Contour drew
// differently from run to run.
type valley struct{ n int }

func (v valley) Dims() (c, r int) { return v.n, v.n }
func (v valley) X(c int) float64  { return -2 + 4*float64(c)/float64(v.n-1) }
func (v valley) Y(r int) float64  { return -1 + 4*float64(r)/float64(v.n-1) }
func (v valley) Z(c, r int) float64 {
	x, y := v.X(c), v.Y(r)
	return math.Log1p(100*(y-x*x)*(y-x*x) + (1-x)*(1-x))
}

// The reason ContourLines exists: the same grid gives the same PNG, byte
// for byte (gonum's plotter.Contour draws its paths in map order).
func TestContourLinesAreDeterministic(t *testing.T) {
	var levels []float64
	for v := 0.25; v < 14; v += 0.75 {
		levels = append(levels, v)
	}
	render := func(name string) []byte {
		p := NewPlot("valley", "x", "y")
		p.Add(ContourLines{Grid: valley{n: 120}, Levels: levels, Style: plotter.DefaultLineStyle})
		path := filepath.Join(t.TempDir(), name)
		if err := Save(path, 4*vg.Inch, 4*vg.Inch, p); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := render("a.png")
	for i := range 5 {
		if !bytes.Equal(render("b.png"), first) {
			t.Fatalf("render %d differs from the first", i+2)
		}
	}
}
