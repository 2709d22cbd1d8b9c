package train

import (
	"context"
	"maps"
	"slices"

	"github.com/pkg/errors"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/models"
)

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

// checkData checks that d's samples fit the model's inputs.
func (t *Trainer) checkData(d *data.Dataset, which string) error {
	m := t.model
	if d == nil {
		return errors.Errorf("train: nil %s dataset", which)
	}
	if d.X == nil {
		return errors.Errorf("train: %s set %q has no X", which, d.Name)
	}
	if d.X.Dtype() != m.X.Dtype() {
		return errors.Errorf("train: %s set %q has %v inputs, model %q takes %v (convert with Dataset.AsType)", which, d.Name, d.X.Dtype(), m.Name, m.X.Dtype())
	}
	if !slices.Equal(d.X.Shape()[1:], m.X.Shape()[1:]) {
		return errors.Errorf("train: %s set %q has samples of shape %v, model %q takes x %v", which, d.Name, d.X.Shape()[1:], m.Name, m.X.Shape())
	}
	if m.Y == nil {
		return nil // a model without targets ignores the dataset's
	}
	if d.Y == nil {
		return errors.Errorf("train: %s set %q has no targets Y, model %q takes y %v %v", which, d.Name, m.Name, m.Y.Dtype(), m.Y.Shape())
	}
	if d.Y.Dtype() != m.Y.Dtype() || !slices.Equal(d.Y.Shape()[1:], m.Y.Shape()[1:]) {
		hint := ""
		if d.IsClassification() && m.Y.Dtype() != d.Y.Dtype() { // class indices, not what the model takes
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
// into batches of the training batch size in order, and when its size is
// not a multiple of it the remaining samples are run as one smaller batch
// (on the program for that size, see Config.BatchSize). The loss is the
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
		bp, err := t.cache.get(n)
		if err != nil {
			return nil, err
		}
		if err := t.cache.before(bp); err != nil {
			return nil, err
		}
		p := bp.prog
		if err := bp.bind(b.X(), b.Y()); err != nil {
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
func keys(logs Logs) []string { return slices.Sorted(maps.Keys(logs)) }
