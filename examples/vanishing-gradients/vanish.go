package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// flow is one network's recorded gradient flow: the mean L2 norm of every
// layer's weight gradient, per epoch (norms[epoch][layer]).
type flow struct {
	name   string
	layers []string
	norms  [][]float64
}

// moons returns the standardized two-moons training set with float 0/1
// targets.
func moons(s settings) (*data.Dataset, error) {
	d, err := data.TwoMoons(s.samples, 0.15, s.seed)
	if err != nil {
		return nil, err
	}
	sp, _, err := data.StandardizeSplits(data.Splits{Train: d}, data.PerFeature)
	if err != nil {
		return nil, err
	}
	return sp.Train.FloatTargets()
}

// vanishing trains the sigmoid, ReLU and ReLU + batch-norm networks with
// the same SGD settings and records their gradient flow.
func vanishing(s settings, out io.Writer, res *result) ([]flow, error) {
	d, err := moons(s)
	if err != nil {
		return nil, err
	}
	nets := []deepConfig{
		{name: "sigmoid", activation: "sigmoid"},
		{name: "relu", activation: "relu"},
		{name: "relu+bn", activation: "relu", batchNorm: true},
	}
	fmt.Fprintf(out, "  %d hidden layers of 32 units on two moons (%d points), SGD lr 0.05, batches of 32, %d epochs\n", s.depth, s.samples, s.epochs)
	var flows []flow
	for _, c := range nets {
		c.depth, c.width, c.weightScale = s.depth, 32, 1
		m, err := buildDeep(c, 32, s.seed)
		if err != nil {
			return nil, err
		}
		opt, err := optimizers.NewSGD(optimizers.SGDConfig{LR: 0.05})
		if err != nil {
			return nil, err
		}
		// GradFlow records ‖∂L/∂θ‖₂ of every parameter at every step, before
		// the optimizer step, and averages it over each epoch.
		gf := &train.GradFlow{}
		h, err := train.Fit(context.Background(), m, train.Config{Epochs: s.epochs, Train: d, DropLast: true, Optimizer: opt, Seed: s.seed,
			Metrics: []train.Metric{train.Accuracy()}, Callbacks: []train.Callback{gf}})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		f := weightFlow(c.name, gf)
		flows = append(flows, f)
		first, last := f.norms[0][0], f.norms[0][len(f.layers)-1]
		res.ratio[c.name] = first / last
		res.accuracy[c.name] = h.Last()["accuracy"]
	}
	printFlows(out, flows, res)
	return flows, nil
}

// weightFlow keeps the weight gradients (fc*.weight) of a GradFlow.
func weightFlow(name string, gf *train.GradFlow) flow {
	f := flow{name: name, norms: make([][]float64, len(gf.Norms))}
	for i, n := range gf.Names {
		if !strings.HasPrefix(n, "fc") || !strings.HasSuffix(n, ".weight") {
			continue
		}
		f.layers = append(f.layers, strings.TrimSuffix(n, ".weight"))
		for e := range gf.Norms {
			f.norms[e] = append(f.norms[e], gf.Norms[e][i])
		}
	}
	return f
}

// printFlows prints the first epoch's weight-gradient norm of every layer
// of every network, the first/last ratio and the final training accuracy.
func printFlows(out io.Writer, flows []flow, res *result) {
	fmt.Fprintf(out, "\n  mean ‖∂L/∂W‖ over the first epoch's steps, by layer (fc1 is next to the input):\n  %-10s", "layer")
	for _, f := range flows {
		fmt.Fprintf(out, " %12s", f.name)
	}
	fmt.Fprintln(out)
	for l, name := range flows[0].layers {
		fmt.Fprintf(out, "  %-10s", name)
		for _, f := range flows {
			fmt.Fprintf(out, " %12.3e", f.norms[0][l])
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "  %-10s", "first/last")
	for _, f := range flows {
		fmt.Fprintf(out, " %12.3e", res.ratio[f.name])
	}
	fmt.Fprintf(out, "\n  %-10s", "accuracy")
	for _, f := range flows {
		fmt.Fprintf(out, " %12.3f", res.accuracy[f.name])
	}
	fmt.Fprintln(out)
}

// plotFlows draws the first epoch's norm against the depth for every
// network (gradient_by_layer.png) and, per network, every layer's norm
// against the epoch (gradient_per_epoch.png).
func plotFlows(dir string, flows []flow) ([]string, error) {
	p := notebook.NewPlot("gradient norm by layer, first epoch (log scale)", "layer (1 = next to the input)", "mean ‖∂L/∂W‖")
	notebook.LogY(p)
	for i, f := range flows {
		var xy plotter.XYs
		for l, v := range f.norms[0] {
			xy = append(xy, plotter.XY{X: float64(l + 1), Y: v})
		}
		if err := notebook.Add(p, notebook.Series{Label: f.name, XY: xy, Color: i, Points: true}); err != nil {
			return nil, err
		}
	}
	p.Legend.Top, p.Legend.Left = false, false
	byLayer := filepath.Join(dir, "gradient_by_layer.png")
	if err := notebook.Save(byLayer, 7*vg.Inch, 4.5*vg.Inch, p); err != nil {
		return nil, err
	}
	var panels []*plot.Plot
	for _, f := range flows {
		p := notebook.NewPlot(f.name+": each layer's gradient (log scale)", "epoch", "mean ‖∂L/∂W‖")
		notebook.LogY(p)
		for l, name := range f.layers {
			var xy plotter.XYs
			for e := range f.norms {
				xy = append(xy, plotter.XY{X: float64(e + 1), Y: f.norms[e][l]})
			}
			if err := notebook.Add(p, notebook.Series{Label: name, XY: xy, Color: l, Dashed: l >= 10}); err != nil {
				return nil, err
			}
		}
		panels = append(panels, p)
	}
	perEpoch := filepath.Join(dir, "gradient_per_epoch.png")
	if err := notebook.SaveLegendRight(perEpoch, 17*vg.Inch, 5*vg.Inch, panels...); err != nil {
		return nil, err
	}
	return []string{byLayer, perEpoch}, nil
}
