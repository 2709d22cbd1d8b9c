package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
)

// The selection ops pick, element by element, one of their operands:
// Maximum, Minimum and Where. Operands broadcast (PyTorch's rule, any
// rank: symgrad's broadcast op, whose gradient sums over the repeated
// axes) and may be Go numbers, as in the arithmetic (arith.go).
//
// Gradients (PyTorch 1.13's): the upstream g goes to the chosen operand
// only; at a tie of Maximum or Minimum (a == b) each operand gets g/2.
// A NaN operand makes the output NaN and gets the whole g. The selection
// masks are piecewise constant (their own derivative is 0), so the ops are
// differentiable any number of times.

// selectKind says which selection an op makes.
type selectKind int

const (
	selMax   selectKind = iota // maximum(a, b)
	selMin                     // minimum(a, b)
	selWhere                   // where(cond, a, b)
)

func (k selectKind) String() string { return [...]string{"maximum", "minimum", "where"}[k] }

// Maximum is PyTorch's maximum(a, b): the larger of a and b elementwise,
// NaN when either is NaN. Gradient: da = g ⊙ wa, db = g ⊙ wb with
// wa = 1 (a > b), 1/2 (a = b), 0 (a < b) and wb = 1 - wa (each summed over
// its repeated axes); a NaN operand gets weight 1.
func Maximum(a, b any) (*G.Node, error) { return selectPair(selMax, a, b) }

// Minimum is PyTorch's minimum(a, b): the smaller of a and b elementwise,
// NaN when either is NaN. Gradient: da = g ⊙ wa, db = g ⊙ wb with
// wa = 1 (a < b), 1/2 (a = b), 0 (a > b) and wb = 1 - wa.
func Minimum(a, b any) (*G.Node, error) { return selectPair(selMin, a, b) }

// Where is PyTorch's where(cond, a, b): a where cond is true, b elsewhere,
// elementwise with broadcasting of all three. cond is a float tensor of
// a's dtype whose elements count as true where they are > 0 (a 0/1 mask
// acts as PyTorch's bool mask; where(x, a, b) is torch.where(x > 0, a, b)),
// since symgrad graphs carry no bool tensors. Gradient:
// da = g ⊙ [cond > 0], db = g ⊙ [cond <= 0] (the side not chosen gets
// exactly 0, even where its value is Inf or NaN), dcond = 0.
func Where(cond *G.Node, a, b any) (out *G.Node, err error) {
	x, y, err := operands("Where", a, b)
	if err != nil {
		return nil, err
	}
	defer panics.Recover(&err, "ops.Where")
	if cond == nil {
		return nil, errors.New("ops.Where: cond is a nil node")
	}
	if cond.Dtype() != x.Dtype() {
		return nil, errors.Errorf("ops.Where: cond %s is %v %v but %s is %v (a float mask of the same dtype is needed)",
			cond.Name(), cond.Dtype(), cond.Shape(), label(x), x.Dtype())
	}
	return applySelect(selWhere, cond, x, y)
}

// selectPair resolves the operands of maximum or minimum.
func selectPair(k selectKind, a, b any) (out *G.Node, err error) {
	x, y, err := operands(k.String(), a, b)
	if err != nil {
		return nil, err
	}
	defer panics.Recover(&err, "ops.%v", k)
	return applySelect(k, x, y)
}

// applySelect broadcasts the inputs to one shape and applies the op.
func applySelect(k selectKind, in ...*G.Node) (*G.Node, error) {
	names := make([]string, len(in))
	var shape []int
	for i, n := range in {
		names[i] = fmt.Sprintf("%s %v", label(n), n.Shape())
		s, _, _, err := BroadcastShapes(shape, n.Shape())
		if err != nil {
			return nil, errors.Errorf("ops.%v: shapes of %v do not broadcast (%v)", k, names[:i+1], err)
		}
		shape = s
	}
	to := tensor.Shape(shape)
	bs := make([]*G.Node, len(in))
	for i, n := range in {
		var err error
		if bs[i], err = broadcastTo(n, to); err != nil {
			return nil, errors.Wrapf(err, "ops.%v", k)
		}
	}
	out, err := Apply(&selectOp{kind: k, shape: to}, bs...)
	return out, errors.Wrapf(err, "ops.%v of %v", k, names)
}

// selectOp is the selection on equal shapes.
type selectOp struct {
	opBase
	kind  selectKind
	shape tensor.Shape
}

// weights returns the gradient weight of side 0 (a) or 1 (b)
// at each element.
func (k selectKind) weights(side int, in [][]float64) []float64 {
	w := make([]float64, len(in[0]))
	for i := range w {
		switch k {
		case selWhere:
			if (in[0][i] > 0) == (side == 0) {
				w[i] = 1
			}
		default:
			a, b := in[0][i], in[1][i]
			if side == 1 {
				a, b = b, a // weight of b: the same rule with the roles swapped
			}
			switch {
			case a == b:
				w[i] = 0.5
			case k == selMax && a < b, k == selMin && a > b:
			default:
				w[i] = 1 // the chosen side, or NaN
			}
		}
	}
	return w
}

// value is the selection itself.
func (k selectKind) value(in [][]float64) []float64 {
	out := make([]float64, len(in[0]))
	for i := range out {
		switch k {
		case selWhere:
			out[i] = in[2][i]
			if in[0][i] > 0 {
				out[i] = in[1][i]
			}
		default:
			a, b := in[0][i], in[1][i]
			switch {
			case a != a || b != b: // NaN
				out[i] = a + b
			case k == selMax && b > a, k == selMin && b < a:
				out[i] = b
			default:
				out[i] = a
			}
		}
	}
	return out
}

func (op *selectOp) arity() int {
	if op.kind == selWhere {
		return 3
	}
	return 2
}

// inputsOf reads an op's input values as float64.
func inputsOf(vs []G.Value) ([][]float64, error) {
	in := make([][]float64, len(vs))
	for i, v := range vs {
		f, err := float64sOf(v)
		if err != nil {
			return nil, err
		}
		in[i] = f
	}
	return in, nil
}

func (op *selectOp) Arity() int { return op.arity() }
func (op *selectOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := typeOfDims(op.shape.Dims(), a)
	ts := make([]hm.Type, op.arity()+1)
	for i := range ts {
		ts[i] = t
	}
	return hm.NewFnType(ts...)
}
func (op *selectOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op *selectOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := inputsOf(vs)
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	return valueOf(op.kind.value(in), op.shape, dtypeOf(vs[0]))
}
func (op *selectOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *selectOp) Hashcode() uint32      { return hashOf(op) }
func (op *selectOp) String() string        { return fmt.Sprintf("%v%v", op.kind, op.shape) }
func (op *selectOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}

// SymDiff is d(input) = g ⊙ weight(input), weight a selectMaskOp of the
// same inputs. cond (of where) gets a zero gradient: the output is
// piecewise constant in it (0 almost everywhere, which is what central
// differences see), so that a float mask can be a variable of an
// expression, whose variables are all differentiated.
func (op *selectOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	out := make(G.Nodes, len(in))
	first := 0
	if op.kind == selWhere {
		first = 1
		var err error
		if out[0], err = applyElem(zeroElem(), in[0]); err != nil {
			return nil, err
		}
	}
	for i := first; i < len(in); i++ {
		w, err := Apply(&selectMaskOp{sel: op, side: i - first}, in...)
		if err != nil {
			return nil, err
		}
		if out[i], err = G.HadamardProd(g, w); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// selectMaskOp is the gradient weight of one side of a selection (0, 1/2
// or 1 per element). It is piecewise constant: not differentiated.
type selectMaskOp struct {
	opBase
	sel  *selectOp
	side int
}

func (op *selectMaskOp) Arity() int    { return op.sel.arity() }
func (op *selectMaskOp) Type() hm.Type { return op.sel.Type() }
func (op *selectMaskOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.sel.shape.Clone(), nil
}
func (op *selectMaskOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := inputsOf(vs)
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	return valueOf(op.sel.kind.weights(op.side, in), op.sel.shape, dtypeOf(vs[0]))
}
func (op *selectMaskOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *selectMaskOp) Hashcode() uint32      { return hashOf(op) }
func (op *selectMaskOp) String() string {
	return fmt.Sprintf("%vmask%d%v", op.sel.kind, op.side, op.sel.shape)
}
func (op *selectMaskOp) DiffWRT(n int) []bool { return make([]bool, n) }
func (op *selectMaskOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.New("selection masks are piecewise constant: not differentiated")
}

// zeroElem is the elementwise 0 (its own derivative).
func zeroElem() *elemOp {
	return &elemOp{name: "zero", deriv: zeroElem, f: func(float64) float64 { return 0 }}
}

func init() {
	pair := []Input{{Name: "a", Shape: []int{3, 4}, Domain: Real}, {Name: "b", Shape: []int{4}, Domain: Real}}
	for _, s := range []struct {
		name, fwd, grad string
		f               func(a, b any) (*G.Node, error)
	}{
		{"maximum", "maximum(a, b) = max(a, b) elementwise, broadcasting", "da = Σ g ⊙ [a > b] + g/2 ⊙ [a = b], db likewise (PyTorch 1.13's tie rule)", Maximum},
		{"minimum", "minimum(a, b) = min(a, b) elementwise, broadcasting", "da = Σ g ⊙ [a < b] + g/2 ⊙ [a = b], db likewise (PyTorch 1.13's tie rule)", Minimum},
	} {
		s := s
		Register(&Spec{
			Name: s.name, Family: "select", Forward: s.fwd, Gradient: s.grad,
			Notes:    "symgrad selection op (any rank, Go numbers as scalars); a kink where a = b, NaN propagates.",
			Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return s.f(n[0], n[1]) },
			MinNodes: 2, MaxNodes: 2, Example: Example{Inputs: pair},
			Dtypes: floats, TwiceDifferentiable: true,
		})
	}
	Register(&Spec{
		Name: "where", Family: "select",
		Forward:  "where(c, a, b) = a where c > 0, else b (elementwise, broadcasting; c a float mask)",
		Gradient: "da = Σ g ⊙ [c > 0], db = Σ g ⊙ [c <= 0], dc = 0 (piecewise constant in c)",
		Notes:    "symgrad selection op: the unchosen side gets exactly 0 even where it is Inf or NaN; a 0/1 mask acts as PyTorch's bool mask.",
		Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return Where(n[0], n[1], n[2]) },
		MinNodes: 3, MaxNodes: 3,
		Example: Example{Inputs: []Input{{Name: "c", Shape: []int{3, 4}, Domain: Domain{Min: -2, Max: 2, Avoid: []float64{0}, Margin: 0.05}},
			{Name: "a", Shape: []int{3, 4}, Domain: Real}, {Name: "b", Shape: []int{1, 4}, Domain: Real}}},
		Dtypes: floats, TwiceDifferentiable: true,
	})
}

// KindSelectMask is the kind of Where's gradient masks.
var KindSelectMask = NewKind("selectmask")

// Identity is KindSelectMask.
func (op *selectMaskOp) Identity() Identity { return Identity{Kind: KindSelectMask} }

// KindSelect is the kind of Maximum, Minimum and Where.
var KindSelect = NewKind("select")

// Identity is KindSelect.
func (op *selectOp) Identity() Identity { return Identity{Kind: KindSelect} }
