package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops/kernels"
)

// elemOp is an elementwise function y = f(x) evaluated in Go (so that its
// forward value can use a numerically stable form), whose symbolic gradient
// is g ⊙ f'(x) with f' itself an elemOp (so the gradient can be
// differentiated again as long as the chain of derivatives goes on).
//
// name must hold every attribute of the op (its parameters), because the
// hash is the name: two elemOps with the same name compute the same thing
// and may be merged by Gorgonia's hash-consing.
type elemOp struct {
	unaryBase
	name  string
	f     func(float64) float64
	deriv func() *elemOp // f', nil when f' is not available (not twice differentiable)
}

var _ G.SDOp = (*elemOp)(nil)

// elemChain is the elemOp name computing fs[0], whose derivative is the
// elemOp name' computing fs[1], whose derivative is name” computing fs[2],
// and so on; the last has no derivative (no further order). Each
// derivative is made when SymDiff asks for it, as a fresh op.
func elemChain(name string, fs ...func(float64) float64) *elemOp {
	op := &elemOp{name: name, f: fs[0]}
	if len(fs) > 1 {
		op.deriv = func() *elemOp { return elemChain(name+"'", fs[1:]...) }
	}
	return op
}

// applyElem applies op to x.
func applyElem(op *elemOp, x *G.Node) (*G.Node, error) {
	if err := checkFloatNode(op.name, x); err != nil {
		return nil, err
	}
	out, err := Apply(op, x)
	return out, errors.Wrapf(err, "%s of %s %v", op.name, x.Name(), x.Shape())
}

// Type is a -> a.
func (op *elemOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

// InferShape returns the input's shape.
func (op *elemOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s: expected 1 input, got %d", op.name, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, errors.Errorf("%s: expected a shape, got %T", op.name, in[0])
	}
	return s.Clone(), nil
}

// Do applies f to every element.
func (op *elemOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%s: expected 1 input, got %d", op.name, len(vs))
	}
	return mapValue(op.name, vs[0], op.f)
}

// mapValue applies f elementwise to a float64 or float32 value (tensor or
// scalar) into a fresh value.
func mapValue(name string, v G.Value, f func(float64) float64) (G.Value, error) {
	switch x := v.(type) {
	case *G.F64:
		return G.NewF64(f(float64(*x))), nil
	case *G.F32:
		return G.NewF32(float32(f(float64(*x)))), nil
	case tensor.Tensor:
		d, err := dense(x)
		if err != nil {
			return nil, errors.Wrap(err, name)
		}
		out := tensor.New(tensor.Of(d.Dtype()), tensor.WithShape(d.Shape().Clone()...))
		switch d.Dtype() {
		case tensor.Float64:
			src, dst := d.Float64s(), out.Float64s()
			for i, e := range src {
				dst[i] = f(e)
			}
		case tensor.Float32:
			src, dst := d.Float32s(), out.Float32s()
			for i, e := range src {
				dst[i] = float32(f(float64(e)))
			}
		default:
			return nil, errors.Errorf("%s: unsupported dtype %v", name, d.Dtype())
		}
		return out, nil
	}
	return nil, errors.Errorf("%s: unsupported value %T", name, v)
}

// dense returns t as a contiguous *tensor.Dense (materializing views).
func dense(t tensor.Tensor) (*tensor.Dense, error) {
	if m, ok := t.(tensor.View); ok && m.IsMaterializable() {
		t = m.Materialize()
	}
	d, ok := t.(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("expected a dense tensor, got %T", t)
	}
	return d, nil
}

// WriteHash writes the op's name, which includes every attribute.
func (op *elemOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.elem.%s", op.name) }

// Hashcode hashes the name.
func (op *elemOp) Hashcode() uint32 { return hashOf(op) }

var (
	// KindElementwise is the kind of an elementwise function evaluated in Go (elemOp); Identity.Name is the function with its attributes ("relu", "leakyrelu(0.01)", "tanh'").
	KindElementwise = NewKind("elementwise")
)

// Identity is KindElementwise with the op's name.
func (op *elemOp) Identity() Identity { return Identity{Kind: KindElementwise, Name: op.name} }

func (op *elemOp) String() string { return op.name }

// SymDiff is dL/dx = g ⊙ f'(x).
func (op *elemOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if op.deriv == nil {
		return nil, errors.Errorf("%s: no symbolic derivative (not differentiable this many times)", op.name)
	}
	d, err := applyElem(op.deriv(), inputs[0])
	if err != nil {
		return nil, err
	}
	gx, err := G.HadamardProd(grad, d)
	return G.Nodes{gx}, errors.Wrapf(err, "gradient of %s", op.name)
}

// checkFloatNode reports a node that is not float64 or float32.
func checkFloatNode(what string, x *G.Node) error {
	if x == nil {
		return errors.Errorf("%s: nil node", what)
	}
	if dt := x.Dtype(); dt != tensor.Float64 && dt != tensor.Float32 {
		return errors.Errorf("%s: %s has dtype %v, want float64 or float32", what, x.Name(), dt)
	}
	return nil
}

// Preallocated outputs for symgrad's elementwise ops, so that compiler's
// planned executor runs them without allocating (it checks UsePreallocDo
// against Do bit for bit on the first run).

var _ G.UsePreallocDoer = (*elemOp)(nil)

// UsePreallocDo applies f to every element of vs[0] into prealloc, a
// contiguous tensor of the same shape and dtype, and returns prealloc.
func (op *elemOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%s: expected 1 input, got %d", op.name, len(vs))
	}
	x, y, _, err := matrices(op.name, vs[0], prealloc)
	if err != nil {
		return nil, err
	}
	if x.DataSize() != y.DataSize() {
		return nil, errors.Errorf("%s: output has shape %v, input %v", op.name, y.Shape(), x.Shape())
	}
	if x.Dtype() == tensor.Float64 {
		mapInto(op.name, y.Float64s(), x.Float64s(), op.f)
	} else {
		mapInto(op.name, y.Float32s(), x.Float32s(), op.f)
	}
	return prealloc, nil
}

// mapInto is dst[i] = f(src[i]), computed in float64 as mapValue does.
// ReLU and its derivative, the hot ones, are inlined (with f's exact
// results, NaN included: relu(NaN) = NaN, step(NaN) = 0).
func mapInto[T float32 | float64](name string, dst, src []T, f func(float64) float64) {
	dst = dst[:len(src)]
	switch name {
	case "relu":
		for i, v := range src {
			// Branch-free (random signs mispredict a branch): Go's max
			// gives NaN for NaN and +0 for -0, as relu's f does.
			dst[i] = max(v, 0)
		}
	case "step(0)":
		for i, v := range src {
			if v > 0 {
				dst[i] = 1
			} else {
				dst[i] = 0
			}
		}
	default:
		for i, e := range src {
			dst[i] = T(f(float64(e)))
		}
	}
}

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
	return applyElem(elemChain("log2", math.Log2,
		func(x float64) float64 { return 1 / (x * math.Ln2) },
		func(x float64) float64 { return -1 / (x * x * math.Ln2) }), x)
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
	return applyElem(elemChain("invsqrt",
		func(x float64) float64 { return 1 / math.Sqrt(x) },
		func(x float64) float64 { return -0.5 / (x * math.Sqrt(x)) },
		func(x float64) float64 { return 0.75 / (x * x * math.Sqrt(x)) }), x)
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
	return elemChain("sigmoid", sigmoid,
		func(x float64) float64 { s := sigmoid(x); return s * (1 - s) },
		func(x float64) float64 { s := sigmoid(x); return s * (1 - s) * (1 - 2*s) })
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
	return applyElem(elemChain("tanh", math.Tanh,
		func(x float64) float64 { t := math.Tanh(x); return 1 - t*t },
		func(x float64) float64 { t := math.Tanh(x); return -2 * t * (1 - t*t) }), x)
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
	return applyElem(elemChain("silu",
		func(x float64) float64 { return x * sigmoid(x) },
		func(x float64) float64 { s := sigmoid(x); return s * (1 + x*(1-s)) },
		func(x float64) float64 { s := sigmoid(x); return s * (1 - s) * (2 + x*(1-2*s)) }), x)
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
	return applyElem(elemChain("gelu",
		func(x float64) float64 { return x * normCDF(x) },
		func(x float64) float64 { return normCDF(x) + x*normPDF(x) },
		func(x float64) float64 { return normPDF(x) * (2 - x*x) }), x)
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
	return applyElem(elemChain("gelutanh",
		func(x float64) float64 {
			t, _, _ := parts(x)
			return 0.5 * x * (1 + t)
		},
		func(x float64) float64 {
			t, u1, _ := parts(x)
			return 0.5*(1+t) + 0.5*x*(1-t*t)*u1
		},
		func(x float64) float64 {
			t, u1, u2 := parts(x)
			s := 1 - t*t
			return s*u1 + 0.5*x*s*(u2-2*t*u1*u1)
		}), x)
}

func init() {
	actSpec(Spec{Name: "gelutanh", Forward: "gelutanh(x) = 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))",
		Gradient: "g ⊙ (0.5(1 + t) + 0.5x(1 - t²)·√(2/π)(1 + 0.134145x²)), t = tanh(...)",
		Notes:    "symgrad op; PyTorch approximate='tanh'.", TwiceDifferentiable: true},
		func(x *G.Node, _ []float64) (*G.Node, error) { return GELUTanh(x) }, Domain{Min: -3, Max: 3})
}

// Clamp is PyTorch's clamp(x, min, max): min(max(x, lo), hi) elementwise
// (hi wins when lo > hi, as in PyTorch); math.Inf(-1) or math.Inf(1) leave
// a side open. NaN elements stay NaN.
//
// Gradient (PyTorch's): g where lo <= x <= hi, the bounds included, and 0
// outside (and for NaN elements); its own derivative is 0, so Clamp is
// differentiable any number of times.
func Clamp(x *G.Node, lo, hi float64) (out *G.Node, err error) {
	defer panics.Recover(&err, "clamp")
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return nil, errors.Errorf("clamp of %v: bounds [%g, %g] must not be NaN", nodeName(x), lo, hi)
	}
	tag := fmt.Sprintf("(%g,%g)", lo, hi)
	zero := func() *elemOp {
		return &elemOp{name: "clamp''" + tag, f: func(float64) float64 { return 0 }}
	}
	inside := func() *elemOp {
		return &elemOp{name: "clamp'" + tag, deriv: zero, f: func(v float64) float64 {
			if v >= lo && v <= hi {
				return 1
			}
			return 0
		}}
	}
	return applyElem(&elemOp{name: "clamp" + tag, deriv: inside, f: func(v float64) float64 {
		if math.IsNaN(v) {
			return v
		}
		return math.Min(math.Max(v, lo), hi)
	}}, x)
}

// nodeName is x's name, or "nil" for a nil node.
func nodeName(x *G.Node) string {
	if x == nil {
		return "nil"
	}
	return x.Name()
}

func init() {
	Register(&Spec{
		Name: "clamp", Family: "clamp",
		Forward:  "clamp(x, lo, hi) = min(max(x, lo), hi); clamp(x, lo) leaves the top open",
		Gradient: "g ⊙ 1[lo <= x <= hi] (bounds included, PyTorch's rule)",
		Notes:    "symgrad elementwise op; kinks at lo and hi; hi wins when lo > hi (gradient 0 everywhere then), as in PyTorch.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			lo, hi := math.Inf(-1), math.Inf(1)
			switch len(p) {
			case 2:
				lo, hi = p[0], p[1]
			case 1:
				lo = p[0]
			default:
				return nil, errors.New("clamp takes 1 or 2 numeric arguments (lo, hi)")
			}
			return Clamp(n[0], lo, hi)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 2,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{3, 4}, Domain: Domain{Min: -2, Max: 2, Avoid: []float64{-1, 1}, Margin: 0.05}}},
			Params: []float64{-1, 1}},
		Dtypes: floats, TwiceDifferentiable: true,
	})
}
