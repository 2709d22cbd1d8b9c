package optimizers

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// FuzzLoadState feeds LoadState a state of fuzzed keys, shapes, dtypes and
// values, then steps on a parameter w [2, 3]: neither may panic, a state
// LoadState accepts must step or fail with an error, and a failed
// LoadState leaves the state as it was.
func FuzzLoadState(f *testing.F) {
	f.Add("w.step", "w.exp_avg", "w.exp_avg_sq", 1.0, 2, 3, 0.5, false)
	f.Add("w.step", "w.exp_avg", "w.exp_avg_sq", -3.0, 3, 2, math.NaN(), true)
	f.Add("w.step", "w.exp_avg", "x.exp_avg_sq", 1e300, 0, 6, math.Inf(1), false)
	f.Add("w.step", "w.momentum_buffer", "w", 2.5, 1, 1, 0.0, true)
	f.Fuzz(func(t *testing.T, k0, k1, k2 string, step float64, r, c int, v float64, f32 bool) {
		r, c = r%8, c%8 // keep allocations small
		if r < 0 || c < 0 {
			return
		}
		buf := func() *tensor.Dense {
			if f32 {
				d := make([]float32, r*c)
				for i := range d {
					d[i] = float32(v)
				}
				return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(d))
			}
			d := make([]float64, r*c)
			for i := range d {
				d[i] = v
			}
			return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(d))
		}
		if r*c == 0 {
			return // tensor.New refuses zero-size backings
		}
		state := map[string]*tensor.Dense{
			k0: tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{step})),
			k1: buf(), k2: buf(),
		}
		for _, mk := range []func() (Optimizer, error){
			func() (Optimizer, error) { return NewAdam(AdamConfig{}) },
			func() (Optimizer, error) { return NewSGD(SGDConfig{Momentum: 0.9}) },
			func() (Optimizer, error) { return NewRMSprop(RMSpropConfig{}) },
		} {
			opt, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			w := Param{Name: "w", Value: tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float64, 6))),
				Grad: tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))}
			if err := opt.Step([]Param{w}); err != nil {
				t.Fatal(err)
			}
			before := opt.State()
			if err := opt.LoadState(state); err != nil {
				if len(opt.State()) != len(before) {
					t.Fatalf("a failed LoadState changed the state: %v", err)
				}
				continue
			}
			_ = opt.Step([]Param{w}) // an error is fine, a panic is not
		}
	})
}
