package train

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Classes returns the predicted class of every row of a model's output
// out, as int64 class indices [N] (the targets' layout): for logits
// [N, K] with K > 1 the index of the largest (PyTorch's
// out.argmax(dim=1); the first of tied maxima), for one logit [N, 1] (a
// BCEWithLogits model) 1 when it is positive, else 0. A NaN row is an
// error naming the row.
func Classes(out *tensor.Dense) (*tensor.Dense, error) {
	rows, k, vals, err := logitRows(out)
	if err != nil {
		return nil, errors.Wrap(err, "train: classes")
	}
	cls := make([]int64, rows)
	for i := range cls {
		row := vals[i*k : (i+1)*k]
		if k == 1 {
			if math.IsNaN(row[0]) {
				return nil, errors.Errorf("train: classes: row %d is NaN", i)
			}
			if row[0] > 0 {
				cls[i] = 1
			}
			continue
		}
		best := 0
		for j, v := range row {
			if math.IsNaN(v) {
				return nil, errors.Errorf("train: classes: row %d, column %d is NaN", i, j)
			}
			if v > row[best] {
				best = j
			}
		}
		cls[i] = int64(best)
	}
	return tensor.New(tensor.WithShape(rows), tensor.WithBacking(cls)), nil
}

// Probabilities turns a model's logits into probabilities, in the
// output's dtype: softmax over each row of [N, K] with K > 1 (PyTorch's
// out.softmax(dim=1), computed as exp(x - max) / sum for stability), the
// sigmoid of one logit [N, 1] (the probability of class 1).
func Probabilities(out *tensor.Dense) (*tensor.Dense, error) {
	rows, k, vals, err := logitRows(out)
	if err != nil {
		return nil, errors.Wrap(err, "train: probabilities")
	}
	p := make([]float64, len(vals))
	for i := 0; i < rows; i++ {
		row, dst := vals[i*k:(i+1)*k], p[i*k:(i+1)*k]
		if k == 1 {
			dst[0] = 1 / (1 + math.Exp(-row[0]))
			continue
		}
		hi := math.Inf(-1)
		for _, v := range row {
			hi = max(hi, v)
		}
		var sum float64
		for j, v := range row {
			dst[j] = math.Exp(v - hi)
			sum += dst[j]
		}
		for j := range dst {
			dst[j] /= sum
		}
	}
	if out.Dtype() == tensor.Float32 {
		p32 := make([]float32, len(p))
		for i, v := range p {
			p32[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(rows, k), tensor.WithBacking(p32)), nil
	}
	return tensor.New(tensor.WithShape(rows, k), tensor.WithBacking(p)), nil
}

// logitRows returns out [N, K] as float64 values, row-major.
func logitRows(out *tensor.Dense) (rows, k int, vals []float64, err error) {
	if out == nil || out.Dims() != 2 || out.Shape()[0] < 1 || out.Shape()[1] < 1 {
		return 0, 0, nil, errors.Errorf("output is %s, want logits [N, K]", describeTensor(out))
	}
	if out.RequiresIterator() {
		out = out.Materialize().(*tensor.Dense)
	}
	rows, k = out.Shape()[0], out.Shape()[1]
	switch d := out.Data().(type) {
	case []float64:
		vals = d[:rows*k]
	case []float32:
		vals = make([]float64, rows*k)
		for i := range vals {
			vals[i] = float64(d[i])
		}
	default:
		return 0, 0, nil, errors.Errorf("output dtype %v, want float64 or float32", out.Dtype())
	}
	return rows, k, vals, nil
}
