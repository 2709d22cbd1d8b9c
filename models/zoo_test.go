package models

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// wantState is each zoo model's PyTorch state_dict: names in order, with
// shapes (the binding contract in DESIGN.md).
var wantState = map[string][]string{
	"simplenet": {"fc1.weight [50 100]", "fc1.bias [50]", "fc2.weight [1 50]", "fc2.bias [1]"},
	"binary":    {"fc1.weight [16 30]", "fc1.bias [16]", "fc2.weight [1 16]", "fc2.bias [1]"},
	"mlp": {"fc1.weight [256 784]", "fc1.bias [256]", "fc2.weight [128 256]", "fc2.bias [128]",
		"fc3.weight [10 128]", "fc3.bias [10]"},
	"mlpbn": {"fc1.weight [64 100]", "fc1.bias [64]", "bn1.weight [64]", "bn1.bias [64]",
		"bn1.running_mean [64]", "bn1.running_var [64]", "bn1.num_batches_tracked []",
		"fc2.weight [1 64]", "fc2.bias [1]"},
	"lenet": {"conv1.weight [6 1 5 5]", "conv1.bias [6]", "conv2.weight [16 6 5 5]", "conv2.bias [16]",
		"fc1.weight [120 256]", "fc1.bias [120]", "fc2.weight [84 120]", "fc2.bias [84]",
		"fc3.weight [10 84]", "fc3.bias [10]"},
	"lstm": {"lstm.weight_ih_l0 [256 32]", "lstm.weight_hh_l0 [256 64]", "lstm.bias_ih_l0 [256]",
		"lstm.bias_hh_l0 [256]", "fc.weight [1 64]", "fc.bias [1]"},
	"bilstm": {"lstm.weight_ih_l0 [256 32]", "lstm.weight_hh_l0 [256 64]", "lstm.bias_ih_l0 [256]",
		"lstm.bias_hh_l0 [256]", "lstm.weight_ih_l0_reverse [256 32]", "lstm.weight_hh_l0_reverse [256 64]",
		"lstm.bias_ih_l0_reverse [256]", "lstm.bias_hh_l0_reverse [256]", "fc.weight [5 128]", "fc.bias [5]"},
	"transformer": {"enc.self_attn.in_proj_weight [96 32]", "enc.self_attn.in_proj_bias [96]",
		"enc.self_attn.out_proj.weight [32 32]", "enc.self_attn.out_proj.bias [32]",
		"enc.linear1.weight [64 32]", "enc.linear1.bias [64]", "enc.linear2.weight [32 64]", "enc.linear2.bias [32]",
		"enc.norm1.weight [32]", "enc.norm1.bias [32]", "enc.norm2.weight [32]", "enc.norm2.bias [32]",
		"fc.weight [5 32]", "fc.bias [5]"},
	"gru": {"gru.weight_ih_l0 [192 32]", "gru.weight_hh_l0 [192 64]", "gru.bias_ih_l0 [192]",
		"gru.bias_hh_l0 [192]", "fc.weight [1 64]", "fc.bias [1]"},
	"textcnn": {"emb.weight [1000 32]", "conv.weight [64 32 3]", "conv.bias [64]", "fc.weight [4 64]", "fc.bias [4]"},
}

// wantIO is each model's batch and output shapes: x, y (with dtype), output.
var wantIO = map[string][3]string{
	"simplenet":   {"[3 100]", "[3 1] float", "[3 1]"},
	"binary":      {"[3 30]", "[3 1] float", "[3 1]"},
	"mlp":         {"[3 784]", "[3] int64", "[3 10]"},
	"mlpbn":       {"[3 100]", "[3 1] float", "[3 1]"},
	"lenet":       {"[3 1 28 28]", "[3] int64", "[3 10]"},
	"lstm":        {"[3 20 32]", "[3 1] float", "[3 1]"},
	"bilstm":      {"[3 20 32]", "[3] int64", "[3 5]"},
	"transformer": {"[3 16 32]", "[3] int64", "[3 5]"},
	"gru":         {"[3 20 32]", "[3 1] float", "[3 1]"},
	"textcnn":     {"[3 40]", "[3] int64", "[3 4]"},
}

func stateSummary(m *Model) []string {
	var out []string
	for _, e := range m.StateDict() {
		out = append(out, fmt.Sprintf("%s %v", e.Name, []int(e.Tensor.Shape())))
	}
	return out
}

func TestZooNames(t *testing.T) {
	want := []string{"bilstm", "binary", "gru", "lenet", "lstm", "mlp", "mlpbn", "simplenet", "textcnn", "transformer"}
	if got := Names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	if _, err := Build("nope", Config{}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Build(nope) error = %v, want one naming the model", err)
	}
	if _, err := Build("mlp", Config{Dtype: tensor.Int32}); err == nil {
		t.Error("Build with an int32 dtype succeeded")
	}
}

// TestZooTrainStep builds every model in both dtypes, checks its state
// dict against the contract, runs one training pass on a seeded batch and
// checks that the loss and every gradient are finite and not all zero.
func TestZooTrainStep(t *testing.T) {
	for _, name := range Names() {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(name+"/"+dt.String(), func(t *testing.T) {
				m, err := Build(name, Config{Batch: 3, Dtype: dt, Seed: 7})
				if err != nil {
					t.Fatal(err)
				}
				if got := stateSummary(m); !reflect.DeepEqual(got, wantState[name]) {
					t.Errorf("state dict:\n got %v\nwant %v", got, wantState[name])
				}
				yKind := "float"
				if m.Y.Dtype() == tensor.Int64 {
					yKind = "int64"
				}
				io := [3]string{fmt.Sprint([]int(m.X.Shape())), fmt.Sprintf("%v %s", []int(m.Y.Shape()), yKind), fmt.Sprint([]int(m.Output.Shape()))}
				if io != wantIO[name] {
					t.Errorf("x, y, output = %q, want %q", io, wantIO[name])
				}
				var names []string
				for _, n := range m.Params {
					names = append(names, n.Name())
				}
				for _, b := range m.Buffers {
					names = append(names, b.Name)
				}
				if len(names) != len(wantState[name]) {
					t.Errorf("Params and Buffers hold %d tensors (%v), the state dict %d", len(names), names, len(wantState[name]))
				}
				p := compileWithBatch(t, m, 11)
				if err := p.RunTrain(); err != nil {
					t.Fatal(err)
				}
				if l := p.Loss(); math.IsNaN(l) || math.IsInf(l, 0) || l <= 0 {
					t.Errorf("loss = %v, want finite and positive", l)
				}
				for _, prm := range p.Params() {
					if prm.Value.Dtype() != dt || prm.Grad.Dtype() != dt {
						t.Errorf("%s: value %v grad %v, want %v", prm.Name, prm.Value.Dtype(), prm.Grad.Dtype(), dt)
					}
					if maxAbs(prm.Grad) == 0 {
						t.Errorf("%s: gradient is all zero", prm.Name)
					}
				}
			})
		}
	}
}

// TestSameSeedSameInit checks that initialisation is a function of the
// seed: equal seeds give bit-identical parameters, different seeds differ.
func TestSameSeedSameInit(t *testing.T) {
	a, _ := Build("lenet", Config{Seed: 3})
	b, _ := Build("lenet", Config{Seed: 3})
	c, _ := Build("lenet", Config{Seed: 4})
	for i, e := range a.StateDict() {
		if !reflect.DeepEqual(e.Tensor.Data(), b.StateDict()[i].Tensor.Data()) {
			t.Errorf("%s differs between two builds with seed 3", e.Name)
		}
		if reflect.DeepEqual(e.Tensor.Data(), c.StateDict()[i].Tensor.Data()) {
			t.Errorf("%s is the same for seeds 3 and 4", e.Name)
		}
	}
}

// TestInitBounds checks PyTorch's default initialisation ranges.
func TestInitBounds(t *testing.T) {
	m, err := Build("lenet", Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	bounds := map[string]float64{
		"conv1.weight": 1 / math.Sqrt(25), "conv1.bias": 1 / math.Sqrt(25),
		"conv2.weight": 1 / math.Sqrt(150), "conv2.bias": 1 / math.Sqrt(150),
		"fc1.weight": 1 / math.Sqrt(256), "fc3.bias": 1 / math.Sqrt(84),
	}
	for _, e := range m.StateDict() {
		b, ok := bounds[e.Name]
		if !ok {
			continue
		}
		if got := maxAbs(e.Tensor); got > b || got < 0.8*b {
			t.Errorf("%s: max |w| = %g, want within (0.8, 1] x %g", e.Name, got, b)
		}
	}
	bn, err := Build("mlpbn", Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"bn1.weight": 1, "bn1.bias": 0, "bn1.running_mean": 0, "bn1.running_var": 1}
	for _, e := range bn.StateDict() {
		if w, ok := want[e.Name]; ok {
			for _, v := range floats(e.Tensor) {
				if v != w {
					t.Fatalf("%s holds %g, want all %g", e.Name, v, w)
				}
			}
		}
		if e.Name == "bn1.num_batches_tracked" && (e.Tensor.Dtype() != tensor.Int64 || e.Tensor.Dims() != 0 || e.Tensor.Data().(int64) != 0) {
			t.Errorf("num_batches_tracked = %v %v %v, want 0-d int64 0", e.Tensor.Dtype(), e.Tensor.Shape(), e.Tensor.Data())
		}
	}
}
