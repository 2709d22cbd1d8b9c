package train

import (
	"context"
	"fmt"
	"slices"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/models"
)

// Predict returns the model's output for every sample of x ([N, ...], the
// model's sample shape and dtype), in evaluation mode, as Keras's
// model.predict: [N, ...] with the output's sample shape. Samples are run
// in batches of the training batch size, the last N mod B as one smaller
// batch (see Config.BatchSize); no target is needed.
func (t *Trainer) Predict(ctx context.Context, x *tensor.Dense) (out *tensor.Dense, err error) {
	defer panics.Recover(&err, "train: predicting with model %q", t.model.Name)
	return predict(ctx, t.cache, t.model, t.batch, x)
}

// PredictConfig says how Predict and NewPredictor run a model.
type PredictConfig struct {
	// BatchSize is the number of samples per run; 0 means the model's.
	BatchSize int
	// Rebuild builds the model for other batch sizes (see
	// Config.Rebuild); nil means the zoo's, for zoo models.
	Rebuild RebuildFunc
	// CompileOptions are passed to Model.CompileInference.
	CompileOptions []compiler.Option
}

// Predictor runs a model's output alone, with no loss, no target and no
// optimizer (Model.CompileInference), for any number of samples: a trained
// or loaded model's model.eval() forward pass. A Predictor is not safe
// for concurrent use.
type Predictor struct {
	model *models.Model
	cache *programCache
	batch int
}

// NewPredictor returns a Predictor for m. Programs for batch sizes other
// than the model's are built on first use (cfg.Rebuild), their parameters
// bound to m's tensors, so they always see m's current values.
func NewPredictor(m *models.Model, cfg PredictConfig) (pr *Predictor, err error) {
	if m == nil || m.X == nil {
		return nil, errors.New("train: predict: nil model or model without input X")
	}
	defer panics.Recover(&err, "train: model %q", m.Name)
	if cfg.BatchSize < 0 {
		return nil, errors.Errorf("train: predict: BatchSize is %d", cfg.BatchSize)
	}
	if cfg.Rebuild == nil {
		cfg.Rebuild = zooRebuild(m)
	}
	pr = &Predictor{model: m, batch: m.X.Shape()[0]}
	if cfg.BatchSize > 0 {
		pr.batch = cfg.BatchSize
	}
	pr.cache = newProgramCache(m, cfg.Rebuild, func(m *models.Model) (*compiler.Program, error) {
		return m.CompileInference(cfg.CompileOptions...)
	})
	if _, err := pr.cache.get(pr.batch); err != nil {
		return nil, err
	}
	return pr, nil
}

// Predict returns the model's output for every sample of x (see
// Trainer.Predict).
func (pr *Predictor) Predict(ctx context.Context, x *tensor.Dense) (out *tensor.Dense, err error) {
	defer panics.Recover(&err, "train: predicting with model %q", pr.model.Name)
	return predict(ctx, pr.cache, pr.model, pr.batch, x)
}

// Close releases the compiled programs.
func (pr *Predictor) Close() error {
	pr.cache.close()
	return nil
}

// Predict is NewPredictor followed by Predictor.Predict and Close: m's
// outputs for every sample of x, in evaluation mode, without a loss, a
// target or an optimizer.
func Predict(ctx context.Context, m *models.Model, x *tensor.Dense, cfg PredictConfig) (*tensor.Dense, error) {
	pr, err := NewPredictor(m, cfg)
	if err != nil {
		return nil, err
	}
	defer pr.Close()
	return pr.Predict(ctx, x)
}

func predict(ctx context.Context, c *programCache, m *models.Model, batch int, x *tensor.Dense) (out *tensor.Dense, err error) {
	mx := m.X
	if x == nil || x.Dtype() != mx.Dtype() || x.Dims() != mx.Dims() || !slices.Equal(x.Shape()[1:], mx.Shape()[1:]) {
		return nil, errors.Errorf("train: predict: x is %s, model %q takes x %v %v (any N)", describeTensor(x), m.Name, mx.Dtype(), mx.Shape())
	}
	if x.RequiresIterator() {
		x = x.Materialize().(*tensor.Dense)
	}
	n := x.Shape()[0]
	for start := 0; start < n; start += batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rows := min(batch, n-start)
		if out, err = predictRows(c, x, out, start, rows); err != nil {
			return nil, errors.Wrapf(err, "train: predict: rows %d to %d", start, start+rows)
		}
	}
	return out, nil
}

// predictRows runs rows samples of x from start and copies the output into
// out, which it allocates on the first call.
func predictRows(c *programCache, x, out *tensor.Dense, start, rows int) (*tensor.Dense, error) {
	bp, err := c.get(rows)
	if err != nil {
		return nil, err
	}
	if err := c.before(bp); err != nil {
		return nil, err
	}
	p := bp.prog
	if err := p.Bind(bp.model.X.Name(), rowRange(x, start, rows)); err != nil {
		return nil, err
	}
	if err := p.RunInference(); err != nil {
		return nil, err
	}
	o, ok := p.Output(0).(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("output is a %T, not a tensor", p.Output(0))
	}
	if out == nil {
		shape := append([]int{x.Shape()[0]}, o.Shape()[1:]...)
		out = tensor.New(tensor.Of(o.Dtype()), tensor.WithShape(shape...))
	}
	k := o.Shape().TotalSize() / rows
	switch d := out.Data().(type) {
	case []float64:
		copy(d[start*k:], o.Float64s()[:rows*k])
	case []float32:
		copy(d[start*k:], o.Float32s()[:rows*k])
	default:
		return nil, errors.Errorf("output dtype %v", o.Dtype())
	}
	return out, nil
}

// rowRange returns a copy of rows [start, start+rows) of the contiguous
// float tensor x.
func rowRange(x *tensor.Dense, start, rows int) *tensor.Dense {
	shape := x.Shape().Clone()
	k := shape.TotalSize() / shape[0]
	shape[0] = rows
	var backing any
	switch d := x.Data().(type) {
	case []float64:
		backing = slices.Clone(d[start*k : (start+rows)*k])
	case []float32:
		backing = slices.Clone(d[start*k : (start+rows)*k])
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))
}

func describeTensor(x *tensor.Dense) string {
	if x == nil {
		return "nil"
	}
	return fmt.Sprintf("%v %v", x.Dtype(), x.Shape())
}
