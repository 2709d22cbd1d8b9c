package optimizers

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// vec returns a float64 vector holding a copy of vals.
func vec(vals ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(vals)), tensor.WithBacking(slices.Clone(vals)))
}

// vec32 returns a float32 vector holding vals.
func vec32(vals ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(vals)), tensor.WithBacking(convertSlice[float32](vals)))
}

func mustTorch(t testing.TB, name string, hyper map[string]any) Optimizer {
	t.Helper()
	o, err := FromTorch(name, hyper)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// handCases are hyperparameter combinations that the PyTorch fixtures do
// not cover, with parameters after each of three steps from θ₀ = (1, -2)
// and gradients handGrads, worked out from PyTorch's documented algorithm
// (in the plain form of each type's doc comment, with math.pow and
// math.sqrt) rather than from this package. Two worked by hand:
//
//	SGD lr 0.1, μ 0.9, Nesterov, λ 0.1, step 1: d = g + λθ = (0.6, -1.2);
//	b = d; d + μb = (1.14, -2.28); θ = θ - 0.1·d = (0.886, -1.772).
//	AdamW lr 0.1, λ 0.5, β (0, 0.5), ε 0, step 1: θ·(1 - 0.05) = 0.95;
//	m = 0.5, v = 0.125, m̂ = 0.5, v̂ = 0.25; θ = 0.95 - 0.1·0.5/0.5 = 0.85.
var handCases = []struct {
	opt   string
	hyper map[string]any
	want  [][]float64
}{
	{"SGD", map[string]any{"lr": 0.1, "maximize": true}, [][]float64{{1.05, -2.1}, {1.0250000000000001, -2.025}, {1.0375, -1.9749999999999999}}},
	{"SGD", map[string]any{"lr": 0.1, "momentum": 0.9, "nesterov": true, "weight_decay": 0.1}, [][]float64{{0.886, -1.772}, {0.868066, -1.783632}, {0.797156146, -1.8036597920000002}}},
	{"SGD", map[string]any{"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.1, "maximize": true}, [][]float64{{1.04, -2.08}, {1.0583, -2.1041}, {1.0757285, -2.0902695}}},
	{"Adam", map[string]any{"lr": 0.1, "amsgrad": true, "weight_decay": 0.1}, [][]float64{{0.9000000016666666, -1.9000000008333333}, {0.8544413674617625, -1.870767278976266}, {0.8005694720858495, -1.8634805744453644}}},
	{"Adam", map[string]any{"lr": 0.1, "betas": []any{0.5, 0.75}, "eps": 0.01, "maximize": true, "weight_decay": 0.2}, [][]float64{{1.096774193548387, -2.098360655737705}, {1.0455375112292613, -2.0390485958419267}, {1.0020696499303972, -1.9584709949147554}}},
	{"AdamW", map[string]any{"lr": 0.1, "amsgrad": true, "maximize": true}, [][]float64{{1.098999998, -2.0979999990000002}, {1.1245347012941536, -2.1048344996404644}, {1.1574530803840515, -2.0853982069904355}}},
	{"AdamW", map[string]any{"lr": 0.1, "weight_decay": 0.5, "betas": []any{0.0, 0.5}, "eps": 0.0}, [][]float64{{0.85, -1.7999999999999998}, {0.8782106781186547, -1.7991132788679005}, {0.7843001442127219, -1.7839907626599842}}},
	{"Adagrad", map[string]any{"lr": 0.1, "lr_decay": 0.5, "weight_decay": 0.1, "initial_accumulator_value": 0.1, "maximize": true}, [][]float64{{1.078446454039889, -2.0929981109842446}, {1.0401500621503332, -2.043364536401876}, {1.0418334615217442, -2.0193822298433264}}},
	{"Adagrad", map[string]any{"lr": 0.5, "eps": 0.25}, [][]float64{{0.6666666666666667, -1.6}, {0.8211751638541405, -1.85}, {0.7452170551789687, -2.0066130288262323}}},
	{"RMSprop", map[string]any{"lr": 0.01, "centered": true}, [][]float64{{0.899496238676095, -1.8994962285750878}, {0.9444410903350491, -1.9597003196174003}, {0.9223844328686309, -1.9971108976366698}}},
	{"RMSprop", map[string]any{"lr": 0.01, "momentum": 0.5, "weight_decay": 0.1, "alpha": 0.5}, [][]float64{{0.9858578647096023, -1.9858578645429357}, {0.9835402861308924, -1.986492827754119}, {0.9742622202103262, -1.9922992154760082}}},
	{"RMSprop", map[string]any{"lr": 0.01, "maximize": true, "eps": 0.5, "centered": true, "momentum": 0.25}, [][]float64{{1.0090950535934686, -2.0166806020945165}, {1.0068693690032058, -2.00884261093892}, {1.0085584344301877, -1.9989923469597286}}},
	{"Adadelta", map[string]any{"lr": 0.5, "weight_decay": 0.1, "maximize": true}, [][]float64{{1.0015810894218118, -2.001581126477582}, {1.0000647533318983, -1.9998340056833772}, {1.0002000421046495, -1.9983850408947188}}},
	{"Adadelta", map[string]any{"lr": 1.0, "rho": 0.5, "eps": 0.01}, [][]float64{{0.8639172365120457, -1.859971991597199}, {0.9716296471674215, -2.0034343306927203}, {0.9013805882842765, -2.128817194348023}}},
}

var handGrads = [][]float64{{0.5, -1.0}, {-0.25, 0.75}, {0.125, 0.5}}

// TestRulesByHand checks the combinations of handCases in float64 to
// 1e-12 relative, and in float32 to float32 precision.
func TestRulesByHand(t *testing.T) {
	for n, c := range handCases {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%d_%s/%v", n, c.opt, dt), func(t *testing.T) {
				o := mustTorch(t, c.opt, c.hyper)
				mk, rel := vec, 1e-12
				if dt == tensor.Float32 {
					mk, rel = vec32, 1e-5
				}
				p := Param{Name: "w", Value: mk(1, -2), Grad: mk(0, 0)}
				for step, g := range handGrads {
					copyFloats(p.Grad, g)
					if err := o.Step([]Param{p}); err != nil {
						t.Fatal(err)
					}
					for i, got := range floats64(p.Value) {
						if want := c.want[step][i]; !closeRel(got, want, rel) {
							t.Errorf("%v step %d [%d]: got %.17g, want %.17g", c.hyper, step+1, i, got, want)
						}
					}
				}
			})
		}
	}
}

// copyFloats sets t's elements from vals in t's dtype.
func copyFloats(t *tensor.Dense, vals []float64) {
	if t.Dtype() == tensor.Float64 {
		copy(t.Float64s(), vals)
		return
	}
	for i, v := range vals {
		t.Float32s()[i] = float32(v)
	}
}

// floats64 returns a float64 copy of t's elements.
func floats64(t *tensor.Dense) []float64 {
	if t.Dtype() == tensor.Float64 {
		return slices.Clone(t.Float64s())
	}
	return convertSlice[float64](t.Float32s())
}

// TestSkipsNilGrad checks that a param without gradient is left alone and
// its step count (Adam's bias correction) does not advance.
func TestSkipsNilGrad(t *testing.T) {
	o := mustTorch(t, "Adam", map[string]any{"lr": 0.1})
	a := Param{Name: "a", Value: vec(1), Grad: vec(0.5)}
	b := Param{Name: "b", Value: vec(1), Grad: nil}
	for range 3 {
		if err := o.Step([]Param{a, b}); err != nil {
			t.Fatal(err)
		}
	}
	if got := b.Value.Float64s()[0]; got != 1 {
		t.Errorf("param without grad changed to %v", got)
	}
	b.Grad = vec(0.5)
	if err := o.Step([]Param{b}); err != nil {
		t.Fatal(err)
	}
	// First Adam step: m̂ = g, v̂ = g², θ = 1 - 0.1·0.5/(0.5 + 1e-8).
	if got, want := b.Value.Float64s()[0], 1-0.1*0.5/(0.5+1e-8); !closeRel(got, want, 1e-15) {
		t.Errorf("first step of b: got %v, want %v", got, want)
	}
	st := o.State()
	if got := st["a.step"].Float64s()[0]; got != 3 {
		t.Errorf("a.step = %v, want 3", got)
	}
	if got := st["b.step"].Float64s()[0]; got != 1 {
		t.Errorf("b.step = %v, want 1", got)
	}
}

// TestPowi checks that powi rounds bⁿ correctly, as C's pow does.
func TestPowi(t *testing.T) {
	for _, b := range []float64{0.9, 0.999, 0.8, 0.99, 0.5, 0.123456789, -0.7} {
		for _, n := range []int64{0, 1, 2, 3, 7, 25, 100, 1000, 12345} {
			if got, want := powi(b, n), powExact(b, n); got != want {
				t.Errorf("powi(%v, %d) = %v, want %v", b, n, got, want)
			}
		}
	}
	for _, c := range []struct {
		b    float64
		n    int64
		want float64
	}{{0.999, 1 << 40, 0}, {10, 400, math.Inf(1)}, {-10, 401, math.Inf(-1)}, {math.Inf(1), 2, math.Inf(1)}} {
		if got := powi(c.b, c.n); got != c.want {
			t.Errorf("powi(%v, %d) = %v, want %v", c.b, c.n, got, c.want)
		}
	}
}
