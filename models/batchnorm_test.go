package models

import (
	"math"
	"reflect"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestDropoutAndBatchNormModes checks the train/eval switch: dropout drops
// and rescales in training and is the identity in inference; batch norm
// uses batch statistics in training (updating the running ones and the
// count) and the running statistics in inference.
func TestDropoutAndBatchNormModes(t *testing.T) {
	g := G.NewGraph()
	x := newInput(t, g, "x", tensor.Float64, 8, 50)
	fc, _ := NewLinear(g, "fc", 50, 50, tensor.Float64, NewRNG(1))
	d, _ := NewDropout(0.5, 7)
	p := layerProgram(t, NewSequential(fc, d), g, x)
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
	zeros := 0
	for _, v := range p.Output(0).Data().([]float64) {
		if v == 0 {
			zeros++
		}
	}
	if zeros < 100 || zeros > 300 {
		t.Errorf("dropout(0.5) zeroed %d of 400 in training", zeros)
	}
	if err := p.RunInference(); err != nil {
		t.Fatal(err)
	}
	for _, v := range p.Output(0).Data().([]float64) {
		if v == 0 {
			t.Fatal("dropout zeroed an element in inference")
		}
	}
	if _, err := NewDropout(1, 0); err == nil {
		t.Error("NewDropout(1) succeeded")
	}

	m, _ := Build("mlpbn", Config{Batch: 4})
	pm := compileWithBatch(t, m, 1)
	if err := pm.RunInference(); err != nil { // running stats: mean 0, var 1
		t.Fatal(err)
	}
	fresh := append([]float64(nil), pm.Output(0).Data().([]float64)...)
	for range 3 {
		if err := pm.RunTrain(); err != nil {
			t.Fatal(err)
		}
	}
	st := m.StateDict()
	if n := st[6].Tensor.Data().(int64); n != 3 {
		t.Errorf("num_batches_tracked = %d after 3 training runs, want 3", n)
	}
	if maxAbs(st[4].Tensor) == 0 {
		t.Error("running_mean did not move in training")
	}
	if err := pm.RunInference(); err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(fresh, pm.Output(0).Data().([]float64)) {
		t.Error("inference output did not change with the running statistics")
	}
	if math.IsNaN(pm.Output(0).Data().([]float64)[0]) {
		t.Error("NaN output")
	}
}
