// Command tutorial is docs/tutorial.md as one program: from nothing to a
// trained, checkpointed, gradient-checked model. Every code block of the
// tutorial is a piece of this file (a test checks that they stay in
// sync), so the tutorial's code compiles and runs.
//
//	go run ./examples/tutorial
//	go run ./examples/tutorial -out /tmp/tutorial
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/compiler/expr"
	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/gradcheck"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

func main() { example.Main() }

// example is the program: its one flag, the output folder, and its run.
var example = notebook.Example[string, *result]{
	Name: "tutorial",
	Flags: func(fs *flag.FlagSet, dir *string) {
		fs.StringVar(dir, "out", filepath.Join("out", "tutorial"), "output folder")
	},
	Run: run,
}

// result is what the tutorial establishes, for the test.
type result struct {
	gradcheckOK      bool
	testAccuracy     float64
	reloadedAccuracy float64
}

// run is the tutorial, step by step.
func run(dir string, w io.Writer) (*result, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	res := &result{}
	ctx := context.Background()

	// Step 1: data.
	d, err := data.TwoMoons(1000, 0.2, 1)
	if err != nil {
		return nil, err
	}
	sp, err := data.Split(d, data.SplitConfig{Val: 0.2, Test: 0.2, Seed: 1, Stratify: true})
	if err != nil {
		return nil, err
	}
	sp, _, err = data.StandardizeSplits(sp, data.PerFeature) // statistics of sp.Train only
	if err != nil {
		return nil, err
	}
	for _, part := range []**data.Dataset{&sp.Train, &sp.Val, &sp.Test} {
		if *part, err = (*part).FloatTargets(); err != nil { // 0/1 targets [N, 1] for BCEWithLogits
			return nil, err
		}
	}

	// Step 2: a model.
	build := func(batch int) (*models.Model, error) {
		g := G.NewGraph()
		m := &models.Model{Name: "moons", Graph: g, Config: models.Config{Batch: batch, Seed: 1}}
		var err error
		if m.X, err = compiler.NewInput(g, "x", tensor.Float64, batch, 2); err != nil {
			return nil, err
		}
		if m.Y, err = compiler.NewInput(g, "y", tensor.Float64, batch, 1); err != nil {
			return nil, err
		}
		rng := models.NewRNG(1) // the same seed gives the same weights
		fc1, err := models.NewLinear(g, "fc1", 2, 16, tensor.Float64, rng)
		if err != nil {
			return nil, err
		}
		fc2, err := models.NewLinear(g, "fc2", 16, 1, tensor.Float64, rng)
		if err != nil {
			return nil, err
		}
		m.Add(fc1, fc2) // parameters fc1.weight, fc1.bias, fc2.weight, fc2.bias
		net := models.NewSequential(fc1, &models.Func{Name: "relu", Fn: ops.ReLU}, fc2)
		if m.Output, err = net.Forward(m.X); err != nil {
			return nil, err
		}
		m.Loss, err = ops.BCEWithLogits(m.Output, m.Y)
		return m, err
	}
	m, err := build(32)
	if err != nil {
		return nil, err
	}

	// Step 3: compile and look at the gradients.
	prog, err := m.Compile()
	if err != nil {
		return nil, err
	}
	defer prog.Close()
	fmt.Fprintln(w, prog.Stats())
	for i, p := range prog.Params() {
		fmt.Fprintf(w, "d loss / d %s = %s\n", p.Name, expr.Format(prog.GradNode(i)))
	}

	// Step 4: check the gradients.
	x, y := m.SampleBatch(1)
	if err := prog.Bind("x", x); err != nil {
		return nil, err
	}
	if err := prog.Bind("y", y); err != nil {
		return nil, err
	}
	report, err := gradcheck.CheckProgram(prog, gradcheck.Config{Seed: 1})
	if err != nil {
		return nil, err
	}
	if err := gradcheck.WriteTable(w, []*gradcheck.Report{report}); err != nil {
		return nil, err
	}
	res.gradcheckOK = report.OK()

	// Step 5: train.
	opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01})
	if err != nil {
		return nil, err
	}
	stop := &train.EarlyStopping{Monitor: "val_loss", Patience: 10, RestoreBest: true}
	t, err := train.NewTrainer(m, train.Config{
		Epochs: 100, Train: sp.Train, Validation: sp.Val, Optimizer: opt, Seed: 1,
		Metrics:   []train.Metric{train.Accuracy()},
		Callbacks: []train.Callback{stop},
		Rebuild:   build, // programs for other batch sizes (the validation remainder)
		DropLast:  true,  // each epoch drops its last partial batch (PyTorch's drop_last)
	})
	if err != nil {
		return nil, err
	}
	defer t.Close()
	h, err := t.Fit(ctx)
	if err != nil {
		return nil, err
	}
	if err := train.PlotHistory(h, filepath.Join(dir, "history.png")); err != nil {
		return nil, err
	}
	logs, err := t.Evaluate(ctx, sp.Test)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "best epoch %d, test accuracy %.3f\n", stop.BestEpoch+1, logs["accuracy"])
	res.testAccuracy = logs["accuracy"]

	// Step 6: save a checkpoint, load it into a fresh model.
	path := filepath.Join(dir, "moons.safetensors")
	if err := models.SaveCheckpoint(path, m, opt.State(), nil); err != nil {
		return nil, err
	}
	fresh, err := build(32)
	if err != nil {
		return nil, err
	}
	state, err := models.LoadCheckpoint(path, fresh)
	if err != nil {
		return nil, err
	}
	opt2, err := optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01})
	if err != nil {
		return nil, err
	}
	if err := opt2.LoadState(state); err != nil { // to train on where we stopped
		return nil, err
	}
	t2, err := train.NewTrainer(fresh, train.Config{Epochs: 1, Train: sp.Train, DropLast: true, Optimizer: opt2,
		Metrics: []train.Metric{train.Accuracy()}, Rebuild: build})
	if err != nil {
		return nil, err
	}
	defer t2.Close()
	logs2, err := t2.Evaluate(ctx, sp.Test)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "reloaded: test accuracy %.3f\n", logs2["accuracy"])
	res.reloadedAccuracy = logs2["accuracy"]
	return res, nil
}
