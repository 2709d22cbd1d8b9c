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
	eachPassSetting(b, models.Names(), func(b *testing.B, name string, on bool) {
		m, p := buildCompiled(b, name, on)
		defer p.Close()
		x, y := m.SampleBatch(2)
		if err := p.Bind("x", x); err != nil {
			b.Fatal(err)
		}
		if err := p.Bind("y", y); err != nil {
			b.Fatal(err)
		}
		fired := 0
		for _, f := range p.Passes().Fired {
			if f.Phase != compiler.Prune {
				fired += f.Count
			}
		}
		compiler.BenchSGDSteps(b, p, 0.01)
		b.ReportMetric(float64(fired), "rewrites")
	})
}

// BenchmarkCompilePasses times models.Build plus Compile of the larger zoo
// models with the pass pipeline on and off: the price of the sweeps.
func BenchmarkCompilePasses(b *testing.B) {
	eachPassSetting(b, []string{"mlp", "lenet", "lstm", "bilstm"}, func(b *testing.B, name string, on bool) {
		for range b.N {
			_, p := buildCompiled(b, name, on)
			p.Close()
		}
	})
}

// eachPassSetting runs bench as the sub-benchmarks NAME/passes=on and
// NAME/passes=off of every name.
func eachPassSetting(b *testing.B, names []string, bench func(b *testing.B, name string, on bool)) {
	for _, name := range names {
		for _, on := range []bool{true, false} {
			label := name + "/passes=off"
			if on {
				label = name + "/passes=on"
			}
			b.Run(label, func(b *testing.B) { bench(b, name, on) })
		}
	}
}

// buildCompiled builds the zoo model name at its passBatch and compiles
// it with the pass pipeline on or off.
func buildCompiled(b *testing.B, name string, on bool) (*models.Model, *compiler.Program) {
	m, err := models.Build(name, models.Config{Batch: passBatch[name], Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	p, err := m.Compile(compiler.WithPasses(on))
	if err != nil {
		b.Fatal(err)
	}
	return m, p
}
