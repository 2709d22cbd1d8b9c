package models

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
	"github.com/symgrad/symgrad/optimizers"
)

// benchBatch is the batch size of each zoo model's BenchmarkTrainStep
// (the contract in DESIGN.md).
var benchBatch = map[string]int{
	"simplenet": 64, "binary": 64, "mlp": 128, "mlpbn": 64, "lenet": 32, "lstm": 32, "bilstm": 32,
	"transformer": 32, "gru": 32, "textcnn": 32,
}

// benchOptimizer is each zoo model's optimizer in BenchmarkTrainStep, as
// in docs/performance.md and bench/torch_bench.py.
func benchOptimizer(name string) (optimizers.Optimizer, error) {
	switch name {
	case "mlp", "lstm", "bilstm", "transformer", "gru", "textcnn":
		return optimizers.NewAdam(optimizers.AdamConfig{LR: 1e-3})
	case "lenet":
		return optimizers.NewSGD(optimizers.SGDConfig{LR: 0.01, Momentum: 0.9})
	}
	return optimizers.NewSGD(optimizers.SGDConfig{LR: 0.01})
}

// BenchmarkTrainStep times one full training step of each zoo model:
// binding the batch (x, y), RunTrain (forward and backward) and the
// model's optimizer step (SGD for simplenet, binary and mlpbn, SGD with
// momentum 0.9 for lenet, Adam for mlp, lstm, bilstm, transformer, gru and textcnn). The contract
// names (BenchmarkTrainStep/<model>) are float64; <model>/f32 is float32.
func BenchmarkTrainStep(b *testing.B) {
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) { benchTrainStep(b, name, tensor.Float64) })
		b.Run(name+"/f32", func(b *testing.B) { benchTrainStep(b, name, tensor.Float32) })
	}
}

func benchTrainStep(b *testing.B, name string, dt tensor.Dtype) {
	step := trainStep(b, name, dt)
	run := func() {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
	run() // the first run verifies preallocated paths and creates optimizer state
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		run()
	}
}

// trainStep compiles the zoo model name in dtype dt at its benchBatch size
// and returns one full training step on a seeded batch: binding x and y,
// RunTrain and the model's benchOptimizer step.
func trainStep(t testing.TB, name string, dt tensor.Dtype) func() error {
	t.Helper()
	m, p := zooProgram(t, name, Config{Batch: benchBatch[name], Dtype: dt, Seed: 1})
	x, y := m.SampleBatch(2)
	opt, err := benchOptimizer(name)
	if err != nil {
		t.Fatal(err)
	}
	params := optimizers.ParamsOf(p)
	return func() error {
		if err := bindBatch(p, x, y); err != nil {
			return err
		}
		if err := p.RunTrain(); err != nil {
			return err
		}
		return opt.Step(params)
	}
}

// compileDepths are BenchmarkCompile's depths.
var compileDepths = []int{10, 50, 100, 200, 400, 800}

// BenchmarkCompile times building and compiling an MLP of width 32 and the
// given depth (Linear layers with ReLU between, MSE loss, batch 16).
func BenchmarkCompile(b *testing.B) {
	for _, depth := range compileDepths {
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				p, err := deepMLP(depth, 32, 16)
				if err != nil {
					b.Fatal(err)
				}
				p.Close()
			}
		})
	}
}

// deepMLP builds and compiles depth Linear(width, width) layers with ReLU
// between them and an MSE loss.
func deepMLP(depth, width, batch int) (*compiler.Program, error) {
	g := G.NewGraph()
	rng := NewRNG(1)
	x, err := compiler.NewInput(g, "x", tensor.Float64, batch, width)
	if err != nil {
		return nil, err
	}
	y, err := compiler.NewInput(g, "y", tensor.Float64, batch, width)
	if err != nil {
		return nil, err
	}
	s := &Sequential{}
	for k := range depth {
		fc, err := NewLinear(g, fmt.Sprintf("fc%d", k+1), width, width, tensor.Float64, rng)
		if err != nil {
			return nil, err
		}
		s.Layers = append(s.Layers, fc)
		if k+1 < depth {
			s.Layers = append(s.Layers, ReLU())
		}
	}
	out, err := s.Forward(x)
	if err != nil {
		return nil, err
	}
	loss, err := ops.MSE(out, y)
	if err != nil {
		return nil, err
	}
	return compiler.Compile(loss, s.Params())
}
