package models

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// benchBatch is the batch size of each zoo model's BenchmarkTrainStep
// (the contract in DESIGN.md).
var benchBatch = map[string]int{
	"simplenet": 64, "binary": 64, "mlp": 128, "mlpbn": 64, "lenet": 32, "lstm": 32, "bilstm": 32,
}

// BenchmarkTrainStep times one full training step of each zoo model in
// float64: RunTrain (forward and backward) and a plain in-place SGD update
// w -= 0.01 g over every parameter.
func BenchmarkTrainStep(b *testing.B) {
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			m, err := Build(name, Config{Batch: benchBatch[name], Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			p := compileWithBatch(b, m, 2)
			defer p.Close()
			params := p.Params()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := p.RunTrain(); err != nil {
					b.Fatal(err)
				}
				for _, prm := range params {
					w, g := prm.Value.Data().([]float64), prm.Grad.Data().([]float64)
					for i := range w {
						w[i] -= 0.01 * g[i]
					}
				}
			}
		})
	}
}

// BenchmarkCompile times building and compiling an MLP of width 32 and the
// given depth (Linear layers with ReLU between, MSE loss, batch 16).
func BenchmarkCompile(b *testing.B) {
	for _, depth := range []int{10, 50, 100, 200} {
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
			s.Layers = append(s.Layers, reluLayer())
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
