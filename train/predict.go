package train

import (
	"context"
	"fmt"
	"slices"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
)

// Predict returns the model's output for every sample of x ([N, ...], the
// model's sample shape and dtype), in evaluation mode, as Keras's
// model.predict: [N, ...] with the output's sample shape. Samples are run
// in batches of the model's batch size and the last N mod B on a copy of
// the model built for that many (see Evaluate); no target is needed.
func (t *Trainer) Predict(ctx context.Context, x *tensor.Dense) (out *tensor.Dense, err error) {
	defer panics.Recover(&err, "train: predicting with model %q", t.model.Name)
	mx := t.model.X
	if x == nil || x.Dtype() != mx.Dtype() || x.Dims() != mx.Dims() || !slices.Equal(x.Shape()[1:], mx.Shape()[1:]) {
		return nil, errors.Errorf("train: predict: x is %s, model %q takes x %v %v (any N)", describeTensor(x), t.model.Name, mx.Dtype(), mx.Shape())
	}
	if x.RequiresIterator() {
		x = x.Materialize().(*tensor.Dense)
	}
	n := x.Shape()[0]
	for start := 0; start < n; start += t.batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rows := min(t.batch, n-start)
		if out, err = t.predictRows(x, out, start, rows); err != nil {
			return nil, errors.Wrapf(err, "train: predict: rows %d to %d", start, start+rows)
		}
	}
	return out, nil
}

// predictRows runs rows samples of x from start and copies the output into
// out, which it allocates on the first call.
func (t *Trainer) predictRows(x, out *tensor.Dense, start, rows int) (*tensor.Dense, error) {
	p := t.prog
	if rows < t.batch {
		e, err := t.evalModel(rows)
		if err != nil {
			return nil, err
		}
		if err := copyState(e.model, t.model); err != nil {
			return nil, err
		}
		p = e.prog
	}
	if err := p.Bind(t.model.X.Name(), rowRange(x, start, rows)); err != nil {
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
