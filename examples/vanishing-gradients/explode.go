package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// stepLog records, at every training step, the global L2 norm of the raw
// gradients (before clipping) and the loss.
type stepLog struct {
	train.Base
	norms, losses []float64
	max           int // steps to record; training stops after the epoch that reaches it
}

var _ train.BackwardHook = (*stepLog)(nil)

// OnBackward records the raw gradient norm ‖(∂L/∂θ₁, ..., ∂L/∂θₙ)‖₂.
func (l *stepLog) OnBackward(t *train.Trainer, _ train.Batch) error {
	l.norms = append(l.norms, optimizers.GradNorm(t.Params(), 2))
	return nil
}

// OnBatchEnd records the loss and stops once max steps are recorded.
func (l *stepLog) OnBatchEnd(t *train.Trainer, b train.Batch) error {
	l.losses = append(l.losses, b.Loss)
	if len(l.losses) >= l.max {
		t.Stop("enough steps")
	}
	return nil
}

// exploding trains a ReLU network whose initial weights are 6 times
// PyTorch's, with and without clipping the gradient norm to 1.
func exploding(s settings, dir string, out io.Writer, res *result) (string, error) {
	d, err := moons(s)
	if err != nil {
		return "", err
	}
	c := deepConfig{name: "relu-large-init", activation: "relu", depth: s.depth, width: 32, weightScale: 6}
	fmt.Fprintf(out, "  the ReLU network again, its initial weights 6× PyTorch's U(±1/√fan_in): each layer now\n")
	fmt.Fprintf(out, "  multiplies the signal (forward) and the gradient (backward) by about √6 ≈ 2.4 instead of 1; SGD lr 0.01\n")
	runs := []struct {
		label string
		clip  train.Clip
	}{{"no clipping", train.Clip{}}, {"gradient norm clipped to 1", train.Clip{MaxNorm: 1}}}
	var logs []*stepLog
	for _, r := range runs {
		m, err := buildDeep(c, 32, s.seed)
		if err != nil {
			return "", err
		}
		opt, err := optimizers.NewSGD(optimizers.SGDConfig{LR: 0.01})
		if err != nil {
			return "", err
		}
		log := &stepLog{max: s.steps}
		epochs := (s.steps + d.Len()/32 - 1) / (d.Len() / 32)
		_, err = train.Fit(context.Background(), m, train.Config{Epochs: epochs, Train: d, DropLast: true, Optimizer: opt, Seed: s.seed,
			Clip: r.clip, Callbacks: []train.Callback{log}})
		var nonFinite *compiler.NonFiniteError
		diverged := false
		switch {
		case errors.As(err, &nonFinite):
			diverged = true
			fmt.Fprintf(out, "  %-27s diverged at step %d: %v\n", r.label, len(log.norms), nonFinite)
		case err != nil:
			return "", fmt.Errorf("%s: %w", r.label, err)
		default:
			last := len(log.losses) - 1
			diverged = !(log.losses[last] < log.losses[0])
			fmt.Fprintf(out, "  %-27s %d steps: raw gradient norm %.3g at the first step, %.3g at the last; loss %.4g -> %.4g\n",
				r.label, len(log.losses), log.norms[0], log.norms[len(log.norms)-1], log.losses[0], log.losses[last])
		}
		if r.clip.MaxNorm == 0 {
			res.unclippedDiverged, res.unclippedFirstNorm = diverged, log.norms[0]
		} else {
			if diverged {
				return "", fmt.Errorf("%s: the clipped run did not train (loss %v)", r.label, log.losses)
			}
			res.clippedFirst, res.clippedLast = log.losses[0], log.losses[len(log.losses)-1]
		}
		logs = append(logs, log)
	}
	return plotExploding(dir, logs, []string{runs[0].label, runs[1].label})
}

// plotExploding draws the raw gradient norm and the loss per step of both
// runs, side by side.
func plotExploding(dir string, logs []*stepLog, labels []string) (string, error) {
	norm := notebook.NewPlot("gradient norm before clipping (log scale)", "step", "‖∂L/∂θ‖")
	loss := notebook.NewPlot("loss per step (log scale)", "step", "loss")
	notebook.LogY(norm)
	notebook.LogY(loss)
	for i, l := range logs {
		var n, v plotter.XYs
		for k := range l.norms {
			n = append(n, plotter.XY{X: float64(k + 1), Y: l.norms[k]})
			if k < len(l.losses) && !math.IsNaN(l.losses[k]) {
				v = append(v, plotter.XY{X: float64(k + 1), Y: l.losses[k]})
			}
		}
		if err := notebook.Add(norm, notebook.Series{Label: labels[i], XY: n, Color: i + 3}); err != nil {
			return "", err
		}
		if err := notebook.Add(loss, notebook.Series{Label: labels[i], XY: v, Color: i + 3}); err != nil {
			return "", err
		}
	}
	// The diverging run's last norms reach 1e100 and beyond; the axes stop
	// well before, and its line leaves the top of the plot.
	norm.Y.Max, loss.Y.Max = 1e9, 1e9
	path := filepath.Join(dir, "exploding.png")
	return path, notebook.Save(path, 6*vg.Inch, 4.5*vg.Inch, norm, loss)
}
