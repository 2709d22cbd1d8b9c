package train

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Metric accumulates a quality measure over the batches of an epoch.
//
// Update is given the model's output for a batch, the batch's targets and
// n, the number of leading rows that are real samples (all of them for
// every batch the trainer evaluates; n exists so that a padded batch can be
// counted exactly). Value returns the metric over every sample seen since
// the last Reset.
type Metric interface {
	// Name is the History column, e.g. "accuracy"; validation values are
	// recorded as "val_" + Name.
	Name() string
	Reset()
	Update(output, target *tensor.Dense, n int) error
	Value() float64
}

// Accuracy returns the fraction of correctly classified samples:
//
//   - binary: output [B,1] logits with float 0/1 targets [B,1]; the
//     prediction is 1 when the logit is > 0 (probability > 0.5);
//   - multiclass: output [B,C] logits or probabilities with int64 class
//     indices [B]; the prediction is the argmax (the first on ties).
func Accuracy() Metric { return &accuracy{} }

type accuracy struct{ right, total int }

func (*accuracy) Name() string { return "accuracy" }
func (a *accuracy) Reset()     { a.right, a.total = 0, 0 }

func (a *accuracy) Value() float64 {
	if a.total == 0 {
		return math.NaN()
	}
	return float64(a.right) / float64(a.total)
}

func (a *accuracy) Update(out, y *tensor.Dense, n int) error {
	o, err := floats(out)
	if err != nil {
		return errors.Wrap(err, "accuracy: output")
	}
	os := out.Shape()
	if len(os) != 2 || os[0] < n {
		return errors.Errorf("accuracy: output has shape %v, want [batch, classes] with batch >= %d", os, n)
	}
	c := os[1]
	if y.Dtype() == tensor.Int64 {
		labels := y.Int64s()
		for i := range n {
			if int64(argmax(o[i*c:(i+1)*c])) == labels[i] {
				a.right++
			}
		}
		a.total += n
		return nil
	}
	if c != 1 {
		return errors.Errorf("accuracy: output [batch, %d] needs int64 class targets, got %v %v (binary accuracy needs [batch, 1] logits)", c, y.Dtype(), y.Shape())
	}
	t, err := floats(y)
	if err != nil {
		return errors.Wrap(err, "accuracy: target")
	}
	for i := range n {
		if (o[i] > 0) == (t[i] > 0.5) {
			a.right++
		}
	}
	a.total += n
	return nil
}

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// MAE returns the mean absolute error over every element of the first n
// rows of output and target (same shape): mean |output - target|.
func MAE() Metric { return &mae{} }

type mae struct {
	sum   float64
	count int
}

func (*mae) Name() string { return "mae" }
func (m *mae) Reset()     { m.sum, m.count = 0, 0 }

func (m *mae) Value() float64 {
	if m.count == 0 {
		return math.NaN()
	}
	return m.sum / float64(m.count)
}

func (m *mae) Update(out, y *tensor.Dense, n int) error {
	if !out.Shape().Eq(y.Shape()) {
		return errors.Errorf("mae: output shape %v and target shape %v differ", out.Shape(), y.Shape())
	}
	o, err := floats(out)
	if err != nil {
		return errors.Wrap(err, "mae: output")
	}
	t, err := floats(y)
	if err != nil {
		return errors.Wrap(err, "mae: target")
	}
	rows := out.Shape()[0]
	k := len(o) / max(rows, 1)
	for i := range n * k {
		m.sum += math.Abs(o[i] - t[i])
	}
	m.count += n * k
	return nil
}

// floats returns t's elements as float64 (a copy for float32).
func floats(t *tensor.Dense) ([]float64, error) {
	switch d := t.Data().(type) {
	case []float64:
		return d, nil
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out, nil
	}
	return nil, errors.Errorf("dtype %v is not float32 or float64", t.Dtype())
}

// meanAccumulator averages per-batch means weighted by batch size.
type meanAccumulator struct {
	sum float64
	n   int
}

func (a *meanAccumulator) add(mean float64, n int) { a.sum += mean * float64(n); a.n += n }

func (a *meanAccumulator) value() float64 {
	if a.n == 0 {
		return math.NaN()
	}
	return a.sum / float64(a.n)
}
