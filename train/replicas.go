package train

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/parallel"
)

// replicate builds the Config.Replicas copies of the model, for a shard of
// the batch each, whose master state is the trained model's.
func (t *Trainer) replicate() error {
	r := t.cfg.Replicas
	if r <= 1 {
		return nil
	}
	if t.batch%r != 0 {
		return errors.Errorf("train: batch size %d is not a multiple of %d replicas", t.batch, r)
	}
	build := func(int) (*models.Model, error) { return t.cfg.Rebuild(t.batch / r) }
	g, err := parallel.New(build, parallel.Config{Replicas: r, CompileOptions: t.cfg.CompileOptions, Master: t.model})
	if err != nil {
		return errors.Wrap(err, "train")
	}
	t.group = g
	return nil
}

// replicatedStep runs every replica on its shard of (x, y), updates the
// metrics shard by shard and leaves the averaged gradients in the program's
// gradient tensors (where the optimizer and the backward hooks read them).
func (t *Trainer) replicatedStep(bp *batchProgram, x, y *tensor.Dense) (float64, error) {
	if err := t.group.Bind(x, y); err != nil {
		return 0, err
	}
	if err := t.group.RunTrain(); err != nil {
		return 0, err
	}
	for i, p := range t.group.Params() {
		if err := copyDense(bp.params[i].Grad, p.Grad); err != nil {
			return 0, err
		}
	}
	if len(t.cfg.Metrics) > 0 {
		shard := t.group.ShardSize()
		for r := 0; r < t.group.Replicas(); r++ {
			if err := t.updateMetrics(t.group.Program(r), rows(y, r*shard, shard), shard); err != nil {
				return 0, err
			}
		}
	}
	return t.group.Loss(), nil
}

// copyDense copies src's elements into dst (same dtype and size).
func copyDense(dst, src *tensor.Dense) error {
	switch dst.Dtype() {
	case tensor.Float64:
		copy(dst.Float64s(), src.Float64s())
	case tensor.Float32:
		copy(dst.Float32s(), src.Float32s())
	default:
		return errors.Errorf("train: gradient of dtype %v", dst.Dtype())
	}
	return nil
}

// rows returns n rows of t from row first, sharing t's data.
func rows(t *tensor.Dense, first, n int) *tensor.Dense {
	s := t.Shape().Clone()
	per := s.TotalSize() / s[0]
	s[0] = n
	lo, hi := first*per, (first+n)*per
	switch t.Dtype() {
	case tensor.Int64:
		return tensor.New(tensor.WithShape(s...), tensor.WithBacking(t.Int64s()[lo:hi]))
	case tensor.Float32:
		return tensor.New(tensor.WithShape(s...), tensor.WithBacking(t.Float32s()[lo:hi]))
	}
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(t.Float64s()[lo:hi]))
}
