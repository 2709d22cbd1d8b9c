package train

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"

	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/optimizers"
)

// GradFlow records the flow of gradients through the network, to see
// vanishing and exploding gradients: for every parameter (fc1.weight,
// fc1.bias, ...), the L2 norm of its raw gradient ‖∂L/∂θ‖₂ at every step,
// before clipping, averaged over the steps of each epoch (the mean, not
// the last step, so one odd batch does not dominate).
//
// Norms[e][i] is the mean norm of parameter Names[i] in epoch Epochs[e].
// With Path set, the plot (Plot) is drawn there when training ends and,
// with Every > 0, also after every Every-th epoch (drawing a PNG costs
// more than an epoch of a small model, so it is not redrawn every epoch).
type GradFlow struct {
	Base
	Path   string
	Every  int
	Names  []string
	Epochs []int
	Norms  [][]float64

	sum   []float64
	steps int
}

var _ BackwardHook = (*GradFlow)(nil)

// OnTrainBegin learns the parameter names.
func (g *GradFlow) OnTrainBegin(t *Trainer) error {
	g.Names = g.Names[:0]
	for _, p := range t.Params() {
		g.Names = append(g.Names, p.Name)
	}
	return nil
}

// OnEpochBegin clears the epoch's sums.
func (g *GradFlow) OnEpochBegin(*Trainer, int) error {
	g.sum, g.steps = make([]float64, len(g.Names)), 0
	return nil
}

// OnBackward adds the norms of this step's raw gradients.
func (g *GradFlow) OnBackward(t *Trainer, _ Batch) error {
	for i, p := range t.Params() {
		g.sum[i] += optimizers.GradNorm([]optimizers.Param{p}, 2)
	}
	g.steps++
	return nil
}

// OnEpochEnd records the epoch's mean norms and redraws the plot.
func (g *GradFlow) OnEpochEnd(_ *Trainer, epoch int, _ Logs) error {
	means := make([]float64, len(g.sum))
	for i, s := range g.sum {
		means[i] = s / float64(max(g.steps, 1))
	}
	g.Epochs = append(g.Epochs, epoch)
	g.Norms = append(g.Norms, means)
	if g.Path == "" || g.Every <= 0 || len(g.Epochs)%g.Every != 0 {
		return nil
	}
	return g.Plot(g.Path)
}

// OnTrainEnd draws the plot at Path, if set, once training ends (also
// after an error, when at least one epoch was recorded).
func (g *GradFlow) OnTrainEnd(_ *Trainer, _ error) error {
	if g.Path == "" || len(g.Norms) == 0 {
		return nil
	}
	return g.Plot(g.Path)
}

// Plot draws the mean gradient norm of every parameter against the epoch,
// on a log-scale y axis, into a PNG file at path (written atomically).
// Norms that are 0 (a dead layer) cannot be drawn on a log scale and are
// left out.
func (g *GradFlow) Plot(path string) (err error) {
	defer panics.Recover(&err, "train: plotting the gradient flow to %s", path)
	if len(g.Norms) == 0 {
		return errors.Errorf("train: plotting the gradient flow to %s: no epochs", path)
	}
	p := NewPlot("gradient flow: mean over each epoch's steps", "epoch", "gradient L2 norm")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	legend := plot.NewLegend()
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, name := range g.Names {
		var xys plotter.XYs
		for e, norms := range g.Norms {
			if v := norms[i]; v > 0 && !math.IsInf(v, 0) {
				xys = append(xys, plotter.XY{X: float64(g.Epochs[e]), Y: v})
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		if err := addLine(p, &legend, name, xys, i, i >= len(palette)); err != nil {
			return err
		}
	}
	if math.IsInf(lo, 1) {
		return errors.Errorf("train: plotting the gradient flow to %s: every gradient norm is 0 or non-finite", path)
	}
	// A log axis needs a positive range; widen one that is a single value.
	p.Y.Min, p.Y.Max = lo/1.5, hi*1.5
	return errors.Wrap(savePNG(path, []*plot.Plot{p}, 7*vg.Inch, &legend), "train: plotting the gradient flow")
}

// WriteCSV writes one row per epoch: "epoch" and the mean norm of every
// parameter, by name.
func (g *GradFlow) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"epoch"}, g.Names...)); err != nil {
		return errors.Wrap(err, "train: writing gradient flow CSV")
	}
	for e, norms := range g.Norms {
		row := []string{strconv.Itoa(g.Epochs[e])}
		for _, v := range norms {
			row = append(row, strconv.FormatFloat(v, 'g', -1, 64))
		}
		if err := cw.Write(row); err != nil {
			return errors.Wrap(err, "train: writing gradient flow CSV")
		}
	}
	cw.Flush()
	return errors.Wrap(cw.Error(), "train: writing gradient flow CSV")
}
