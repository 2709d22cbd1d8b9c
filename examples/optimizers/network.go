package main

import (
	"context"
	"fmt"
	"io"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/train"
)

// networkRace trains SimpleNet once per rule, from the same initial
// weights (the model's seed) on the same batches (the trainer's seed), and
// returns each rule's training loss per epoch, in the order of rules.
func networkRace(s settings, out io.Writer) ([][]float64, error) {
	// The data: Friedman #1, y = 10 sin(π x0 x1) + 20 (x2 - 0.5)² + 10 x3 +
	// 5 x4 + noise, with 95 distracting features beside the 5 that matter.
	// Inputs and target are standardized (mean 0, variance 1), so that a
	// loss of 1 is what predicting the mean would score.
	d, err := data.Friedman1(s.samples, 100, 1, s.seed)
	if err != nil {
		return nil, err
	}
	if d, err = standardize(d); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "  data: %d samples of Friedman #1 with 100 features, standardized; model: simplenet (100 -> 50 -> 1, MSE), batches of 32\n", s.samples)
	fmt.Fprintf(out, "  %-9s %8s %14s %14s\n", "rule", "lr", "epoch 1 loss", "final loss")
	var curves [][]float64
	for _, r := range rules {
		m, err := models.Build("simplenet", models.Config{Batch: 32, Seed: s.seed})
		if err != nil {
			return nil, err
		}
		opt, err := r.make(r.lrNet)
		if err != nil {
			return nil, err
		}
		h, err := train.Fit(context.Background(), m, train.Config{Epochs: s.epochs, Train: d, DropLast: true, Optimizer: opt, Seed: s.seed})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
		loss := h.Series("loss")
		curves = append(curves, loss)
		fmt.Fprintf(out, "  %-9s %8g %14.4g %14.4g\n", r.name, r.lrNet, loss[0], loss[len(loss)-1])
	}
	return curves, nil
}

// plotCurves draws every rule's loss per epoch on a log scale.
func plotCurves(path string, curves [][]float64) error {
	p := notebook.NewPlot("SimpleNet on Friedman #1: training loss per epoch (log scale)", "epoch", "MSE")
	notebook.LogY(p)
	for i, c := range curves {
		var xy plotter.XYs
		for e, v := range c {
			xy = append(xy, plotter.XY{X: float64(e + 1), Y: v})
		}
		if err := notebook.Add(p, notebook.Series{Label: rules[i].name, XY: xy, Color: i, Dashed: i >= 5}); err != nil {
			return err
		}
	}
	return notebook.SaveLegendRight(path, 9*vg.Inch, 5*vg.Inch, p)
}

// standardize returns d with every input feature and the target scaled to
// mean 0 and variance 1.
func standardize(d *data.Dataset) (*data.Dataset, error) {
	out := make([]*tensor.Dense, 2)
	for i, t := range []*tensor.Dense{d.X, d.Y} {
		st, err := data.FitStandardizer(t, data.PerFeature)
		if err != nil {
			return nil, err
		}
		if out[i], err = st.Transform(t); err != nil {
			return nil, err
		}
	}
	return data.New(d.Name, out[0], out[1])
}
