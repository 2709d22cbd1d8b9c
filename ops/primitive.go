package ops

import (
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
)

// The elementwise primitives below are Gorgonia's own ops. Each is
// registered right under its definition and checked against central
// differences by the registry test (TestRegisteredOpsGradients).

// unaryGorgonia wraps a Gorgonia unary builder with a float check, a
// recovered panic and a wrapped error.
func unaryGorgonia(name string, f func(*G.Node) (*G.Node, error), x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "%s", name)
	if err := checkFloatNode(name, x); err != nil {
		return nil, err
	}
	out, err = applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return f(in[0]) }, x)
	return out, errors.Wrapf(err, "%s of %s %v", name, x.Name(), x.Shape())
}

// unarySpec registers a one-node, no-parameter op.
func unarySpec(s Spec, f func(*G.Node) (*G.Node, error), d Domain) {
	s.Build = func(n []*G.Node, _ []float64) (*G.Node, error) { return f(n[0]) }
	s.MinNodes, s.MaxNodes = 1, 1
	s.Example = Example{Inputs: []Input{{Name: "x", Shape: []int{3, 4}, Domain: d}}}
	s.Dtypes = floats
	Register(&s)
}

// Exp is e^x, elementwise. Gradient: g ⊙ e^x.
func Exp(x *G.Node) (*G.Node, error) { return unaryGorgonia("exp", G.Exp, x) }

func init() {
	unarySpec(Spec{Name: "exp", Family: "primitive", Forward: "exp(x) = e^x", Gradient: "g ⊙ e^x",
		Notes: "Gorgonia's Exp.", TwiceDifferentiable: true}, Exp, Real)
}

// Log is the natural logarithm ln x, elementwise (x > 0). Gradient: g / x.
func Log(x *G.Node) (*G.Node, error) { return unaryGorgonia("log", G.Log, x) }

func init() {
	unarySpec(Spec{Name: "log", Family: "primitive", Forward: "log(x) = ln x (x > 0)", Gradient: "g / x",
		Notes: "Gorgonia's Log; -Inf at 0, NaN below.", TwiceDifferentiable: true}, Log, Positive)
}

// Log1p is ln(1 + x), elementwise (x > -1), accurate for small x.
// Gradient: g / (1 + x).
func Log1p(x *G.Node) (*G.Node, error) { return unaryGorgonia("log1p", G.Log1p, x) }

func init() {
	unarySpec(Spec{Name: "log1p", Family: "primitive", Forward: "log1p(x) = ln(1 + x) (x > -1)", Gradient: "g / (1 + x)",
		Notes: "Gorgonia's Log1p; accurate near 0.", TwiceDifferentiable: true}, Log1p, Domain{Min: -0.5, Max: 2})
}

// Log2 is log₂ x, elementwise (x > 0). Gradient: g / (x ln 2).
//
// Gorgonia's Log2 has a wrong gradient (off by a factor ln²2), so this is
// a symgrad op.
func Log2(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "log2")
	d2 := func() *elemOp {
		return &elemOp{name: "log2''", f: func(x float64) float64 { return -1 / (x * x * math.Ln2) }}
	}
	d1 := func() *elemOp {
		return &elemOp{name: "log2'", deriv: d2, f: func(x float64) float64 { return 1 / (x * math.Ln2) }}
	}
	return applyElem(&elemOp{name: "log2", f: math.Log2, deriv: d1}, x)
}

func init() {
	unarySpec(Spec{Name: "log2", Family: "primitive", Forward: "log2(x) = ln x / ln 2 (x > 0)", Gradient: "g / (x ln 2)",
		Notes: "symgrad op: Gorgonia's Log2 gradient is wrong (TestLog2GradientIsOneOverXLn2).", TwiceDifferentiable: true}, Log2, Positive)
}

// Sqrt is √x, elementwise (x > 0). Gradient: g / (2√x).
func Sqrt(x *G.Node) (*G.Node, error) { return unaryGorgonia("sqrt", G.Sqrt, x) }

func init() {
	unarySpec(Spec{Name: "sqrt", Family: "primitive", Forward: "sqrt(x) = √x (x >= 0)", Gradient: "g / (2√x)",
		Notes: "Gorgonia's Sqrt; the gradient is infinite at 0.", TwiceDifferentiable: true}, Sqrt, Positive)
}

// InvSqrt is 1/√x, elementwise (x > 0). Gradient: -g / (2 x^(3/2)).
//
// Gorgonia's InverseSqrt has a wrong gradient, so this is a symgrad op.
func InvSqrt(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "invsqrt")
	d2 := func() *elemOp {
		return &elemOp{name: "invsqrt''", f: func(x float64) float64 { return 0.75 / (x * x * math.Sqrt(x)) }}
	}
	d1 := func() *elemOp {
		return &elemOp{name: "invsqrt'", deriv: d2, f: func(x float64) float64 { return -0.5 / (x * math.Sqrt(x)) }}
	}
	return applyElem(&elemOp{name: "invsqrt", f: func(x float64) float64 { return 1 / math.Sqrt(x) }, deriv: d1}, x)
}

func init() {
	unarySpec(Spec{Name: "invsqrt", Family: "primitive", Forward: "invsqrt(x) = 1/√x (x > 0)", Gradient: "-g / (2 x^(3/2))",
		Notes: "symgrad op: Gorgonia's InverseSqrt gradient is wrong (TestInvSqrtGradient).", TwiceDifferentiable: true}, InvSqrt, Positive)
}

// Abs is |x|, elementwise. Gradient: g ⊙ sign(x) (0 at x = 0, a kink).
func Abs(x *G.Node) (*G.Node, error) { return unaryGorgonia("abs", G.Abs, x) }

func init() {
	unarySpec(Spec{Name: "abs", Family: "primitive", Forward: "abs(x) = |x|", Gradient: "g ⊙ sign(x) (a kink at 0)",
		Notes: "Gorgonia's Abs.", TwiceDifferentiable: true}, Abs, Domain{Min: -2, Max: 2, Avoid: []float64{0}, Margin: 0.05})
}

// Square is x², elementwise. Gradient: 2 g ⊙ x.
func Square(x *G.Node) (*G.Node, error) { return unaryGorgonia("square", G.Square, x) }

func init() {
	unarySpec(Spec{Name: "square", Family: "primitive", Forward: "square(x) = x^2", Gradient: "2 g ⊙ x",
		Notes: "Gorgonia's Square.", TwiceDifferentiable: true}, Square, Real)
}

// Neg is -x, elementwise. Gradient: -g.
func Neg(x *G.Node) (*G.Node, error) { return unaryGorgonia("neg", G.Neg, x) }

func init() {
	unarySpec(Spec{Name: "neg", Family: "primitive", Forward: "neg(x) = -x", Gradient: "-g",
		Notes: "Gorgonia's Neg.", TwiceDifferentiable: true}, Neg, Real)
}
