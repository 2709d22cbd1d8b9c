package train

import (
	"context"
	"slices"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/models"
)

// evalModel is a copy of the trained model built for a remainder batch.
type evalModel struct {
	model *models.Model
	prog  *compiler.Program
}

// zooRebuild rebuilds a zoo model by name, or returns nil for a model the
// zoo does not have.
func zooRebuild(m *models.Model) RebuildFunc {
	if !slices.Contains(models.Names(), m.Name) {
		return nil
	}
	return func(batch int) (*models.Model, error) {
		return models.Build(m.Name, models.Config{Batch: batch, Dtype: m.Dtype(), Seed: m.Config.Seed})
	}
}

// evalModel returns the model for a remainder batch of r samples, building
// and compiling it the first time.
func (t *Trainer) evalModel(r int) (*evalModel, error) {
	if e, ok := t.evals[r]; ok {
		return e, nil
	}
	if t.cfg.Rebuild == nil {
		return nil, errors.Errorf("train: model %q: a dataset's last %d samples do not fill a batch of %d, and there is no way to build the model for a batch of %d: set Config.Rebuild",
			t.model.Name, r, t.batch, r)
	}
	m, err := t.cfg.Rebuild(r)
	if err != nil {
		return nil, errors.Wrapf(err, "train: rebuilding model %q for a batch of %d", t.model.Name, r)
	}
	if got := m.X.Shape()[0]; got != r {
		return nil, errors.Errorf("train: Rebuild(%d) built a model for batches of %d", r, got)
	}
	if err := copyState(m, t.model); err != nil {
		return nil, errors.Wrapf(err, "train: the model Rebuild(%d) built does not match model %q", r, t.model.Name)
	}
	p, err := m.Compile(t.cfg.CompileOptions...)
	if err != nil {
		return nil, errors.Wrapf(err, "train: compiling model %q for a batch of %d", t.model.Name, r)
	}
	e := &evalModel{model: m, prog: p}
	t.evals[r] = e
	return e, nil
}

// copyState copies src's parameters and buffers into dst.
func copyState(dst, src *models.Model) error {
	state := make(map[string]*tensor.Dense)
	for _, e := range src.StateDict() {
		state[e.Name] = e.Tensor
	}
	return dst.LoadStateDict(state)
}

// checkData checks that d's samples fit the model's inputs.
func (t *Trainer) checkData(d *data.Dataset, which string) error {
	m := t.model
	if d == nil {
		return errors.Errorf("train: nil %s dataset", which)
	}
	if d.X == nil || d.Y == nil {
		return errors.Errorf("train: %s set %q has no X or Y", which, d.Name)
	}
	if d.X.Dtype() != m.X.Dtype() {
		return errors.Errorf("train: %s set %q has %v inputs, model %q takes %v (convert with Dataset.AsType)", which, d.Name, d.X.Dtype(), m.Name, m.X.Dtype())
	}
	if !slices.Equal(d.X.Shape()[1:], m.X.Shape()[1:]) {
		return errors.Errorf("train: %s set %q has samples of shape %v, model %q takes x %v", which, d.Name, d.X.Shape()[1:], m.Name, m.X.Shape())
	}
	if d.Y.Dtype() != m.Y.Dtype() || !slices.Equal(d.Y.Shape()[1:], m.Y.Shape()[1:]) {
		hint := ""
		if d.Y.Dtype() == tensor.Int64 && m.Y.Dtype() != tensor.Int64 {
			hint = " (for 0/1 targets use Dataset.FloatTargets)"
		}
		return errors.Errorf("train: %s set %q has %v targets of shape %v, model %q takes y %v %v%s",
			which, d.Name, d.Y.Dtype(), d.Y.Shape(), m.Name, m.Y.Dtype(), m.Y.Shape(), hint)
	}
	return nil
}

// Evaluate computes the loss and the metrics of the trained model on d in
// evaluation mode (dropout off, batch norm on its running statistics),
// without changing the model. Every sample counts exactly once: d is cut
// into batches of the model's batch size in order, and when its size is
// not a multiple of it the remaining samples are run, as one batch, on a
// copy of the model built for that many samples (Config.Rebuild) whose
// parameters and buffers are copied from the model first. The loss is the
// mean over samples: the batch losses (means) weighted by batch size.
func (t *Trainer) Evaluate(ctx context.Context, d *data.Dataset) (logs Logs, err error) {
	defer panics.Recover(&err, "train: evaluating model %q", t.model.Name)
	if err := t.checkData(d, "evaluation"); err != nil {
		return nil, err
	}
	return t.evaluate(ctx, d)
}

func (t *Trainer) evaluate(ctx context.Context, d *data.Dataset) (Logs, error) {
	b, err := data.NewBatcher(d, data.BatchConfig{Size: t.batch})
	if err != nil {
		return nil, err
	}
	for _, m := range t.cfg.Metrics {
		m.Reset()
	}
	var loss meanAccumulator
	for i := 0; b.Next(); i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := len(b.Indices())
		p := t.prog
		if n < t.batch {
			e, err := t.evalModel(n)
			if err != nil {
				return nil, err
			}
			if err := copyState(e.model, t.model); err != nil {
				return nil, err
			}
			p = e.prog
		}
		if err := t.bind(p, b.X(), b.Y()); err != nil {
			return nil, errors.Wrapf(err, "batch %d", i)
		}
		if err := p.RunLoss(compiler.Evaluation); err != nil {
			return nil, errors.Wrapf(err, "batch %d", i)
		}
		loss.add(p.Loss(), n)
		if err := t.updateMetrics(p, b.Y(), n); err != nil {
			return nil, errors.Wrapf(err, "batch %d", i)
		}
	}
	logs := Logs{"loss": loss.value()}
	for _, m := range t.cfg.Metrics {
		logs[m.Name()] = m.Value()
	}
	return logs, nil
}

// keys returns the sorted names of logs.
func keys(logs Logs) []string {
	out := make([]string, 0, len(logs))
	for k := range logs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
