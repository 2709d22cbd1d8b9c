package compiler_test

import (
	"testing"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/models"
)

// passBatch is each zoo model's batch in BenchmarkTrainStep (DESIGN.md).
var passBatch = map[string]int{
	"simplenet": 64, "binary": 64, "mlp": 128, "mlpbn": 64, "lenet": 32, "lstm": 32, "bilstm": 32,
}

// BenchmarkPasses times one training step (RunTrain and an SGD update) of
// every zoo model compiled with the pass pipeline on and off, and reports
// the program's node counts (fwd-nodes, grad-nodes) and the rewrites that
// fired (rewrites). For docs/performance.md.
func BenchmarkPasses(b *testing.B) {
	for _, name := range models.Names() {
		for _, on := range []bool{true, false} {
			label := name + "/passes=off"
			if on {
				label = name + "/passes=on"
			}
			b.Run(label, func(b *testing.B) {
				m, err := models.Build(name, models.Config{Batch: passBatch[name], Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				p, err := m.Compile(compiler.WithPasses(on))
				if err != nil {
					b.Fatal(err)
				}
				defer p.Close()
				x, y := m.SampleBatch(2)
				if err := p.Bind("x", x); err != nil {
					b.Fatal(err)
				}
				if err := p.Bind("y", y); err != nil {
					b.Fatal(err)
				}
				st := p.Stats()
				fired := 0
				for _, f := range p.Passes().Fired {
					if f.Phase != compiler.Prune {
						fired += f.Count
					}
				}
				params := p.Params()
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
				b.ReportMetric(float64(st.ForwardNodes), "fwd-nodes")
				b.ReportMetric(float64(st.GradientNodes), "grad-nodes")
				b.ReportMetric(float64(fired), "rewrites")
			})
		}
	}
}

// BenchmarkCompilePasses times models.Build plus Compile of the larger zoo
// models with the pass pipeline on and off: the price of the sweeps.
func BenchmarkCompilePasses(b *testing.B) {
	for _, name := range []string{"mlp", "lenet", "lstm", "bilstm"} {
		for _, on := range []bool{true, false} {
			label := name + "/passes=off"
			if on {
				label = name + "/passes=on"
			}
			b.Run(label, func(b *testing.B) {
				for range b.N {
					m, err := models.Build(name, models.Config{Batch: passBatch[name], Seed: 1})
					if err != nil {
						b.Fatal(err)
					}
					p, err := m.Compile(compiler.WithPasses(on))
					if err != nil {
						b.Fatal(err)
					}
					p.Close()
				}
			})
		}
	}
}
