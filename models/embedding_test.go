package models

import (
	"reflect"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestEmbedding checks the lookup against the weight's rows and the
// gradient numerically, for [N] and [B, T] indices.
func TestEmbedding(t *testing.T) {
	g := G.NewGraph()
	idx := newInput(t, g, "idx", tensor.Int64, 2, 3)
	e, err := NewEmbedding(g, "emb", 5, 4, tensor.Float64, NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	p := layerProgram(t, e, g, idx)
	ids := []int64{4, 0, 2, 2, 1, 4}
	if err := p.Bind("idx", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(ids))); err != nil {
		t.Fatal(err)
	}
	numericCheck(t, p, 20, 1, 2)
	out := p.Output(0).(*tensor.Dense)
	if !reflect.DeepEqual([]int(out.Shape()), []int{2, 3, 4}) {
		t.Fatalf("output shape %v, want [2 3 4]", out.Shape())
	}
	w := e.Weight.Value().Data().([]float64)
	for k, i := range ids {
		got := out.Data().([]float64)[k*4 : k*4+4]
		if !reflect.DeepEqual(got, w[i*4:i*4+4]) {
			t.Errorf("row %d (index %d) = %v, want %v", k, i, got, w[i*4:i*4+4])
		}
	}
	if err := p.Bind("idx", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]int64{0, 0, 5, 0, 0, 0}))); err != nil {
		t.Fatal(err)
	}
	if err := p.RunTrain(); err == nil {
		t.Error("an index out of range ran without error")
	}
	if m := maxAbs(e.Weight.Value().(*tensor.Dense)); m < 1 || m > 6 {
		t.Errorf("N(0,1) init: max |w| = %g", m)
	}
}

// TestEmbeddingPadding checks PyTorch's padding_idx: the row starts at
// zero, is looked up as any other row and gets no gradient, while the
// other rows' gradients are the sums of the output gradients.
func TestEmbeddingPadding(t *testing.T) {
	g := G.NewGraph()
	idx := newInput(t, g, "idx", tensor.Int64, 2, 3)
	e, err := NewEmbeddingPadded(g, "emb", 5, 2, 1, tensor.Float64, NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	w := e.Weight.Value().Data().([]float64)
	if w[2] != 0 || w[3] != 0 {
		t.Fatalf("padding row at init = %v, want zeros", w[2:4])
	}
	w[2], w[3] = 7, 8 // a loaded checkpoint may hold any padding row
	y, err := e.Forward(idx)
	if err != nil {
		t.Fatal(err)
	}
	p := sumProgram(t, e.Params(), y)
	if err := p.Bind("idx", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]int64{1, 0, 1, 4, 0, 3}))); err != nil {
		t.Fatal(err)
	}
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
	if got := p.Output(0).(*tensor.Dense).Float64s()[:2]; !reflect.DeepEqual(got, []float64{7, 8}) {
		t.Errorf("lookup of the padding row = %v, want [7 8]", got)
	}
	// d sum / d w[v] = the number of times v is looked up (0 for padding).
	want := []float64{2, 2, 0, 0, 0, 0, 1, 1, 1, 1}
	if got := p.Params()[0].Grad.Data().([]float64); !reflect.DeepEqual(got, want) {
		t.Errorf("gradient %v, want %v", got, want)
	}
	if _, err := NewEmbeddingPadded(g, "bad", 5, 2, 5, tensor.Float64, NewRNG(1)); err == nil || !strings.Contains(err.Error(), "padding_idx 5") {
		t.Errorf("padding_idx 5 of 5: error %v", err)
	}
}

// TestEmbeddingTokenOutOfRange checks that a token id outside the
// vocabulary is an error naming the id, its position and the vocabulary
// size, from the program and from the zoo model.
func TestEmbeddingTokenOutOfRange(t *testing.T) {
	m, p := zooProgram(t, "textcnn", Config{Batch: 2})
	x, y := m.SampleBatch(1)
	x.Int64s()[45] = 1000
	if err := bindBatch(p, x, y); err != nil {
		t.Fatal(err)
	}
	err := p.RunTrain()
	for _, want := range []string{"token id 1000", "position 45", "[0, 1000)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want one containing %q", err, want)
		}
	}
}
