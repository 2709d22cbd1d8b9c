package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops/kernels"
)

// Activations are elemOps: forward values computed in Go in a numerically
// stable form, gradients g ⊙ f'(x) with f' an elemOp too. Each derivative
// below is written next to its function; the registry test checks every
// one against central differences.

// actSpec registers a one-node activation with up to one numeric param.
func actSpec(s Spec, f func(x *G.Node, p []float64) (*G.Node, error), d Domain, params ...float64) {
	s.Family = "activation"
	s.Build = func(n []*G.Node, p []float64) (*G.Node, error) { return f(n[0], p) }
	s.MinNodes, s.MaxNodes, s.MaxParams = 1, 1, len(params)
	s.Example = Example{Inputs: []Input{{Name: "x", Shape: []int{3, 4}, Domain: d}}, Params: params}
	s.Dtypes = floats
	Register(&s)
}

// kinked is the real line minus a margin around the kink at 0.
var kinked = Domain{Min: -2, Max: 2, Avoid: []float64{0}, Margin: 0.05}

// zeroOp is f(x) = 0, the derivative of piecewise-linear derivatives.
func zeroOp() *elemOp {
	return &elemOp{name: "zero", f: func(float64) float64 { return 0 }, deriv: zeroOp}
}

// stepOp is f(x) = 1 if x > 0, else slope (the derivative of leaky ReLU).
func stepOp(slope float64) *elemOp {
	return &elemOp{name: fmt.Sprintf("step(%v)", slope), deriv: zeroOp, f: func(x float64) float64 {
		if x > 0 {
			return 1
		}
		return slope
	}}
}

// ReLU is max(x, 0), elementwise.
//
// Gradient: g where x > 0, 0 where x <= 0 (0 at the kink, as PyTorch).
func ReLU(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "ReLU")
	return applyElem(&elemOp{name: "relu", deriv: func() *elemOp { return stepOp(0) }, f: func(x float64) float64 {
		return math.Max(x, 0)
	}}, x)
}

func init() {
	actSpec(Spec{Name: "relu", Forward: "relu(x) = max(x, 0)", Gradient: "g where x > 0, 0 where x <= 0 (a kink at 0)",
		Notes: "symgrad op; Gorgonia's Rectify is x ⊙ (x >= 0).", TwiceDifferentiable: true},
		func(x *G.Node, _ []float64) (*G.Node, error) { return ReLU(x) }, kinked)
}

// LeakyReLU is x if x > 0, slope·x otherwise, elementwise.
//
// Gradient: g where x > 0, slope·g elsewhere.
func LeakyReLU(x *G.Node, slope float64) (out *G.Node, err error) {
	defer panics.Recover(&err, "LeakyReLU")
	return applyElem(&elemOp{name: fmt.Sprintf("leakyrelu(%v)", slope), deriv: func() *elemOp { return stepOp(slope) },
		f: func(x float64) float64 {
			if x > 0 {
				return x
			}
			return slope * x
		}}, x)
}

func init() {
	actSpec(Spec{Name: "leakyrelu", Forward: "leakyrelu(x, a) = x if x > 0 else a·x (a defaults to 0.01)", Gradient: "g where x > 0, a·g elsewhere",
		Notes: "symgrad op (Gorgonia's LeakyRelu is a composite of comparisons).", TwiceDifferentiable: true},
		func(x *G.Node, p []float64) (*G.Node, error) { return LeakyReLU(x, oneFloat(p, 0.01)) }, kinked, 0.1)
}

// ELU is x if x > 0, alpha·(e^x - 1) otherwise (expm1 for accuracy).
//
// Gradient: g where x > 0, g·alpha·e^x elsewhere.
func ELU(x *G.Node, alpha float64) (out *G.Node, err error) {
	defer panics.Recover(&err, "ELU")
	return applyElem(eluOp(alpha), x)
}

func init() {
	actSpec(Spec{Name: "elu", Forward: "elu(x, a) = x if x > 0 else a·(e^x - 1) (a defaults to 1)", Gradient: "g where x > 0, g·a·e^x elsewhere",
		Notes: "symgrad op; expm1 for accuracy near 0.", TwiceDifferentiable: true},
		func(x *G.Node, p []float64) (*G.Node, error) { return ELU(x, oneFloat(p, 1)) }, kinked, 0.7)
}

func eluOp(alpha float64) *elemOp {
	d2 := func() *elemOp {
		return &elemOp{name: fmt.Sprintf("elu''(%v)", alpha), f: func(x float64) float64 {
			if x > 0 {
				return 0
			}
			return alpha * math.Exp(x)
		}}
	}
	d1 := func() *elemOp {
		return &elemOp{name: fmt.Sprintf("elu'(%v)", alpha), deriv: d2, f: func(x float64) float64 {
			if x > 0 {
				return 1
			}
			return alpha * math.Exp(x)
		}}
	}
	return &elemOp{name: fmt.Sprintf("elu(%v)", alpha), deriv: d1, f: func(x float64) float64 {
		if x > 0 {
			return x
		}
		return alpha * math.Expm1(x)
	}}
}

// sigmoid is 1/(1 + e^-x) in a form that never overflows.
func sigmoid(x float64) float64 { return kernels.Sigmoid(x) }

func sigmoidOp() *elemOp {
	d2 := func() *elemOp {
		return &elemOp{name: "sigmoid''", f: func(x float64) float64 { s := sigmoid(x); return s * (1 - s) * (1 - 2*s) }}
	}
	d1 := func() *elemOp {
		return &elemOp{name: "sigmoid'", deriv: d2, f: func(x float64) float64 { s := sigmoid(x); return s * (1 - s) }}
	}
	return &elemOp{name: "sigmoid", f: sigmoid, deriv: d1}
}

// Sigmoid is σ(x) = 1/(1 + e^-x), computed as e^x/(1 + e^x) for x < 0 so
// that it never overflows.
//
// Gradient: g ⊙ σ(x)(1 - σ(x)).
func Sigmoid(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "sigmoid")
	return applyElem(sigmoidOp(), x)
}

func init() {
	actSpec(Spec{Name: "sigmoid", Forward: "sigmoid(x) = 1/(1 + e^-x), as e^x/(1 + e^x) for x < 0", Gradient: "g ⊙ σ(x)(1 - σ(x))",
		Notes:               "symgrad op: never overflows; Gorgonia's Sigmoid clamps to exactly 1 above x = 19 (float64), 15 (float32), so its gradient vanishes there.",
		TwiceDifferentiable: true},
		func(x *G.Node, _ []float64) (*G.Node, error) { return Sigmoid(x) }, Domain{Min: -6, Max: 6})
}

// softplus is ln(1 + e^x) = max(x, 0) + log1p(e^-|x|), stable for any x.
func softplus(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

// Softplus is ln(1 + e^x), computed as max(x, 0) + log1p(e^-|x|).
//
// Gradient: g ⊙ σ(x).
func Softplus(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "softplus")
	return applyElem(&elemOp{name: "softplus", f: softplus, deriv: sigmoidOp}, x)
}

func init() {
	actSpec(Spec{Name: "softplus", Forward: "softplus(x) = ln(1 + e^x) = max(x, 0) + log1p(e^-|x|)", Gradient: "g ⊙ σ(x)",
		Notes: "symgrad op, stable for any x; Gorgonia's Softplus returns x itself above 16 (float64).", TwiceDifferentiable: true},
		func(x *G.Node, _ []float64) (*G.Node, error) { return Softplus(x) }, Domain{Min: -6, Max: 6})
}

// Tanh is tanh x, elementwise.
//
// Gradient: g ⊙ (1 - tanh² x).
func Tanh(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "tanh")
	d2 := func() *elemOp {
		return &elemOp{name: "tanh''", f: func(x float64) float64 { t := math.Tanh(x); return -2 * t * (1 - t*t) }}
	}
	d1 := func() *elemOp {
		return &elemOp{name: "tanh'", deriv: d2, f: func(x float64) float64 { t := math.Tanh(x); return 1 - t*t }}
	}
	return applyElem(&elemOp{name: "tanh", f: math.Tanh, deriv: d1}, x)
}

func init() {
	actSpec(Spec{Name: "tanh", Forward: "tanh(x)", Gradient: "g ⊙ (1 - tanh² x)",
		Notes: "symgrad op (Go's math.Tanh).", TwiceDifferentiable: true},
		func(x *G.Node, _ []float64) (*G.Node, error) { return Tanh(x) }, Domain{Min: -3, Max: 3})
}

// SiLU is x·σ(x) (also called swish).
//
// Gradient: g ⊙ σ(x)(1 + x(1 - σ(x))).
func SiLU(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "SiLU")
	d2 := func() *elemOp {
		return &elemOp{name: "silu''", f: func(x float64) float64 {
			s := sigmoid(x)
			return s * (1 - s) * (2 + x*(1-2*s))
		}}
	}
	d1 := func() *elemOp {
		return &elemOp{name: "silu'", deriv: d2, f: func(x float64) float64 { s := sigmoid(x); return s * (1 + x*(1-s)) }}
	}
	return applyElem(&elemOp{name: "silu", f: func(x float64) float64 { return x * sigmoid(x) }, deriv: d1}, x)
}

func init() {
	actSpec(Spec{Name: "silu", Forward: "silu(x) = x·σ(x)", Gradient: "g ⊙ σ(x)(1 + x(1 - σ(x)))",
		Notes: "symgrad op, stable through σ.", TwiceDifferentiable: true},
		func(x *G.Node, _ []float64) (*G.Node, error) { return SiLU(x) }, Domain{Min: -4, Max: 4})
}

// normPDF is φ(x), the standard normal density.
func normPDF(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }

// normCDF is Φ(x) = (1 + erf(x/√2))/2.
func normCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// GELU is the exact Gaussian error linear unit x·Φ(x), Φ(x) = (1 +
// erf(x/√2))/2 (PyTorch's gelu with approximate='none').
//
// Gradient: g ⊙ (Φ(x) + x φ(x)), φ the standard normal density.
func GELU(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "GELU")
	d2 := func() *elemOp {
		return &elemOp{name: "gelu''", f: func(x float64) float64 { return normPDF(x) * (2 - x*x) }}
	}
	d1 := func() *elemOp {
		return &elemOp{name: "gelu'", deriv: d2, f: func(x float64) float64 { return normCDF(x) + x*normPDF(x) }}
	}
	return applyElem(&elemOp{name: "gelu", f: func(x float64) float64 { return x * normCDF(x) }, deriv: d1}, x)
}

func init() {
	actSpec(Spec{Name: "gelu", Forward: "gelu(x) = x·Φ(x), Φ(x) = (1 + erf(x/√2))/2", Gradient: "g ⊙ (Φ(x) + x·φ(x))",
		Notes: "symgrad op; exact (erf) form, PyTorch approximate='none'.", TwiceDifferentiable: true},
		func(x *G.Node, _ []float64) (*G.Node, error) { return GELU(x) }, Domain{Min: -3, Max: 3})
}

// geluK is √(2/π), and geluC the cubic coefficient of the tanh GELU.
const (
	geluK = 0.7978845608028654
	geluC = 0.044715
)

// GELUTanh is the tanh approximation of GELU, 0.5x(1 + tanh(√(2/π)(x +
// 0.044715x³))) (PyTorch's gelu with approximate='tanh').
//
// Gradient: g ⊙ (0.5(1 + t) + 0.5x(1 - t²)u'), t = tanh(u),
// u = √(2/π)(x + 0.044715x³), u' = √(2/π)(1 + 3·0.044715x²).
func GELUTanh(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "GELUTanh")
	parts := func(x float64) (t, u1, u2 float64) {
		return math.Tanh(geluK * (x + geluC*x*x*x)), geluK * (1 + 3*geluC*x*x), geluK * 6 * geluC * x
	}
	d2 := func() *elemOp {
		return &elemOp{name: "gelutanh''", f: func(x float64) float64 {
			t, u1, u2 := parts(x)
			s := 1 - t*t
			return s*u1 + 0.5*x*s*(u2-2*t*u1*u1)
		}}
	}
	d1 := func() *elemOp {
		return &elemOp{name: "gelutanh'", deriv: d2, f: func(x float64) float64 {
			t, u1, _ := parts(x)
			return 0.5*(1+t) + 0.5*x*(1-t*t)*u1
		}}
	}
	return applyElem(&elemOp{name: "gelutanh", deriv: d1, f: func(x float64) float64 {
		t, _, _ := parts(x)
		return 0.5 * x * (1 + t)
	}}, x)
}

func init() {
	actSpec(Spec{Name: "gelutanh", Forward: "gelutanh(x) = 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))",
		Gradient: "g ⊙ (0.5(1 + t) + 0.5x(1 - t²)·√(2/π)(1 + 0.134145x²)), t = tanh(...)",
		Notes:    "symgrad op; PyTorch approximate='tanh'.", TwiceDifferentiable: true},
		func(x *G.Node, _ []float64) (*G.Node, error) { return GELUTanh(x) }, Domain{Min: -3, Max: 3})
}
