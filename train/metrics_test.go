package train_test

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/train"
)

func dense(shape []int, v any) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// Accuracy (binary logits and multiclass argmax) and MAE, over batches
// and counting only the first n rows.
func TestMetrics(t *testing.T) {
	type batch struct {
		out, y *tensor.Dense
		n      int
	}
	cases := []struct {
		name    string
		metric  train.Metric
		batches []batch
		want    float64
	}{
		{"binary", train.Accuracy(), []batch{
			{dense([]int{4, 1}, []float64{2, -1, 0.5, 0}), dense([]int{4, 1}, []float64{1, 0, 0, 1}), 4}, // 2 right (0 is class 0)
			{dense([]int{2, 1}, []float32{-3, 3}), dense([]int{2, 1}, []float32{0, 1}), 2},               // 2 right
		}, 4.0 / 6},
		{"binary masked", train.Accuracy(), []batch{
			{dense([]int{3, 1}, []float64{1, 1, 1}), dense([]int{3, 1}, []float64{1, 0, 0}), 1},
		}, 1},
		{"multiclass", train.Accuracy(), []batch{
			{dense([]int{3, 3}, []float64{0.1, 0.7, 0.2, 5, 1, 1, 0, 0, 0}), dense([]int{3}, []int64{1, 1, 0}), 3}, // right, wrong, tie -> 0 right
		}, 2.0 / 3},
		{"mae", train.MAE(), []batch{
			{dense([]int{2, 2}, []float64{1, 2, 3, 4}), dense([]int{2, 2}, []float64{0, 2, 5, 4}), 2}, // |1|+0+|2|+0 = 3 over 4
			{dense([]int{2, 2}, []float64{1, 1, 9, 9}), dense([]int{2, 2}, []float64{2, 2, 0, 0}), 1}, // 2 over 2, row 2 masked
		}, 5.0 / 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.metric.Reset()
			if !math.IsNaN(c.metric.Value()) {
				t.Error("a metric with no samples is not NaN")
			}
			for _, b := range c.batches {
				if err := c.metric.Update(b.out, b.y, b.n); err != nil {
					t.Fatal(err)
				}
			}
			if got := c.metric.Value(); math.Abs(got-c.want) > 1e-15 {
				t.Errorf("%s = %v, want %v", c.metric.Name(), got, c.want)
			}
		})
	}
	if err := train.Accuracy().Update(dense([]int{2, 3}, make([]float64, 6)), dense([]int{2, 1}, make([]float64, 2)), 2); err == nil {
		t.Error("accuracy of [2,3] outputs with float targets is not an error")
	}
}
