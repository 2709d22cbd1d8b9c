package optimizers

import (
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// benchOptimizers makes each optimizer the benchmarks time, with PyTorch's
// defaults apart from the momentum forms.
var benchOptimizers = []struct {
	name string
	make func() (Optimizer, error)
}{
	{"SGD", func() (Optimizer, error) { return NewSGD(SGDConfig{LR: 0.01}) }},
	{"Momentum", func() (Optimizer, error) { return NewMomentum(0.01, 0.9) }},
	{"Nesterov", func() (Optimizer, error) { return NewNesterov(0.01, 0.9) }},
	{"Adagrad", func() (Optimizer, error) { return NewAdagrad(AdagradConfig{}) }},
	{"RMSprop", func() (Optimizer, error) { return NewRMSprop(RMSpropConfig{}) }},
	{"Adam", func() (Optimizer, error) { return NewAdam(AdamConfig{}) }},
	{"AdamW", func() (Optimizer, error) { return NewAdamW(AdamWConfig{WeightDecay: DefaultAdamWWeightDecay}) }},
	{"Adadelta", func() (Optimizer, error) { return NewAdadelta(AdadeltaConfig{}) }},
}

// BenchmarkStep times one Step over 1,000,000 parameters (a 1000×999
// weight and a 1000 bias); op is one Step, ns/param the time per element.
func BenchmarkStep(b *testing.B) {
	for _, bo := range benchOptimizers {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			b.Run(bo.name+"/"+dt.String(), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(11, 12))
				params := []Param{benchParam(rng, "fc.weight", dt, 1000, 999), benchParam(rng, "fc.bias", dt, 1000)}
				o, err := bo.make()
				if err != nil {
					b.Fatal(err)
				}
				if err := o.Step(params); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if err := o.Step(params); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/param")
			})
		}
	}
}

func benchParam(rng *rand.Rand, name string, dt tensor.Dtype, shape ...int) Param {
	mk := func() *tensor.Dense {
		t := tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
		vals := make([]float64, t.Shape().TotalSize())
		for i := range vals {
			vals[i] = rng.NormFloat64() * 0.01
		}
		copyFloats(t, vals)
		return t
	}
	return Param{Name: name, Value: mk(), Grad: mk()}
}
