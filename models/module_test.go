package models

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// handMLP builds x [4,3] -> fc1 -> ReLU -> fc2 -> MSE by hand, registering
// only the layers in add (by index).
func handMLP(t *testing.T, add ...int) *Model {
	t.Helper()
	g := G.NewGraph()
	m := &Model{Name: "hand", Graph: g}
	m.X, m.Y = newInput(t, g, "x", tensor.Float64, 4, 3), newInput(t, g, "y", tensor.Float64, 4, 1)
	rng := NewRNG(1)
	fc1, err := NewLinear(g, "fc1", 3, 5, tensor.Float64, rng)
	if err != nil {
		t.Fatal(err)
	}
	fc2, _ := NewLinear(g, "fc2", 5, 1, tensor.Float64, rng)
	layers := []Module{fc1, fc2}
	for _, i := range add {
		m.Add(layers[i])
	}
	h, _ := fc1.Forward(m.X)
	h, _ = ops.ReLU(h)
	m.Output, _ = fc2.Forward(h)
	m.Loss, _ = ops.MSE(m.Output, m.Y)
	return m
}

// TestCompileUnregisteredLayer: a layer left out of Model.Add used to be
// frozen silently (and left out of checkpoints); now Compile names its
// tensors.
func TestCompileUnregisteredLayer(t *testing.T) {
	m := handMLP(t, 1) // fc1 forgotten
	_, err := m.Compile()
	if err == nil || !strings.Contains(err.Error(), `"fc1.weight"`) || !strings.Contains(err.Error(), `"fc1.bias"`) || !strings.Contains(err.Error(), "Model.Add") {
		t.Fatalf("error = %v, want one naming fc1.weight and fc1.bias", err)
	}
	if strings.Contains(err.Error(), "fc2") {
		t.Errorf("error names the registered fc2: %v", err)
	}
	if _, err := m.CompileInference(); err == nil {
		t.Error("CompileInference accepted the unregistered layer")
	}
	ok := handMLP(t, 0, 1)
	p, err := ok.Compile()
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
}

// TestModelInference compiles a model's output alone and runs it with x
// bound only; a model with no target (Y nil) compiles too.
func TestModelInference(t *testing.T) {
	m, _ := Build("mlp", Config{Batch: 3, Seed: 1})
	p, err := m.CompileInference()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	x, _ := m.SampleBatch(1)
	if err := p.Bind("x", x); err != nil {
		t.Fatal(err)
	}
	if err := p.RunInference(); err != nil {
		t.Fatal(err)
	}
	if s := p.Output(0).Shape(); !s.Eq(tensor.Shape{3, 10}) {
		t.Errorf("output shape %v", s)
	}

	ae := handMLP(t, 0, 1)
	ae.Y = nil
	ae.Output, _ = ops.ReLU(ae.X) // a loss on x alone
	sum, _ := G.Sum(ae.Output)
	h, _ := ae.Modules[0].(*Linear).Forward(ae.X)
	o, _ := ae.Modules[1].(*Linear).Forward(h)
	ls, _ := G.Sum(o)
	ae.Loss, _ = G.Add(sum, ls)
	p2, err := ae.Compile()
	if err != nil {
		t.Fatalf("a model without targets: %v", err)
	}
	p2.Close()
	if _, y := ae.SampleBatch(1); y != nil {
		t.Error("SampleBatch made targets for a model without Y")
	}
}

// Layers created through the model register themselves, as nn.Module
// attributes do: the state dict, Compile and checkpoints see them with no
// Add.
func TestNewModelLayersRegister(t *testing.T) {
	m, err := New("digits", Config{Batch: 4, Seed: 1}, 64)
	if err != nil {
		t.Fatal(err)
	}
	fc1, err1 := m.Linear("fc1", 64, 32)
	fc2, err2 := m.Linear("fc2", 32, 10)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if err := m.Targets(tensor.Int64); err != nil {
		t.Fatal(err)
	}
	if err := m.Targets(tensor.Int64); err == nil {
		t.Error("a second Targets succeeded")
	}
	if err := m.SetLoss(NewSequential(fc1, ReLU(), fc2), ops.CrossEntropy); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.StateNames(), " "); got != "fc1.weight fc1.bias fc2.weight fc2.bias" {
		t.Errorf("state names %q", got)
	}
	if !m.Y.Shape().Eq(tensor.Shape{4}) || m.Y.Dtype() != tensor.Int64 {
		t.Errorf("y %v %v", m.Y.Dtype(), m.Y.Shape())
	}
	p, err := m.Compile()
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	if _, err := m.Linear("bad", 0, 3); err == nil {
		t.Error("Linear(0, 3) succeeded")
	}
	if _, err := New("neg", Config{Batch: -1}, 3); err == nil {
		t.Error("a negative batch was accepted")
	}
}

// Every stateful layer can be created through the model, registered in
// PyTorch's order.
func TestModelLayerConstructors(t *testing.T) {
	m, err := New("mixed", Config{Batch: 2, Seed: 3}, 1, 8, 8)
	if err != nil {
		t.Fatal(err)
	}
	_, e1 := m.Conv2D("conv", 1, 2, [2]int{3, 3}, [2]int{1, 1}, [2]int{0, 0})
	_, e2 := m.BatchNorm("bn", 2)
	_, e3 := m.Embedding("emb", 10, 4)
	_, e4 := m.LSTM("lstm", 4, 3, false)
	for i, err := range []error{e1, e2, e3, e4} {
		if err != nil {
			t.Fatalf("layer %d: %v", i, err)
		}
	}
	names := strings.Join(m.StateNames(), " ")
	for _, want := range []string{"conv.weight", "bn.running_mean", "emb.weight", "lstm.weight_ih_l0"} {
		if !strings.Contains(names, want) {
			t.Errorf("state names %q lack %s", names, want)
		}
	}
	if _, err := m.Conv2D("conv", 1, 2, [2]int{3, 3}, [2]int{1, 1}, [2]int{0, 0}); err == nil || !strings.Contains(err.Error(), "mixed") {
		t.Errorf("a duplicate layer name: error %v", err)
	}
}

// models/doc.go used to cite DESIGN.md, which is not in the repository:
// every Markdown file the package documentation names exists.
func TestDocCitesExistingFiles(t *testing.T) {
	b, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(b)) {
		f = strings.Trim(f, "().,;:`\"")
		if !strings.HasSuffix(f, ".md") {
			continue
		}
		if _, err := os.Stat(filepath.Join("..", f)); err != nil {
			if _, err2 := os.Stat(filepath.Join("..", "docs", f)); err2 != nil {
				t.Errorf("doc.go cites %s: %v", f, err)
			}
		}
	}
}
