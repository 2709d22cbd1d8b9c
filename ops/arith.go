package ops

import (
	"fmt"
	"hash"
	"slices"
	"strconv"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops/kernels"
)

// Arithmetic with PyTorch's broadcasting (the rule below), so that user
// code needs neither G.* nor G.Must. Each operand is a *G.Node or a Go
// number (float64, float32 or int), which becomes a scalar constant of the
// other operand's dtype (as PyTorch treats a Python number); at least one
// operand must be a node. Both nodes must share a graph and a dtype
// (float64 or float32): symgrad never converts silently, and a mismatch is
// an error naming both operands and their dtypes. Errors name both operands
// and their shapes; Gorgonia's panics are recovered.
//
// Forward and gradient (g the upstream gradient, summed over the axes an
// operand was repeated along, then reshaped to its shape):
//
//	Add: a + b   da = g          db = g
//	Sub: a - b   da = g          db = -g
//	Mul: a ⊙ b   da = g ⊙ b      db = g ⊙ a
//	Div: a / b   da = g / b      db = -g ⊙ a / b²
//	Pow: a ^ b   da = g ⊙ b a^(b-1)   db = g ⊙ a^b ln a (needs a > 0)
//
// Implementation: a scalar operand goes to Gorgonia's scalar-tensor op;
// equal shapes to the plain op; otherwise the lower-rank operand gets
// leading 1-axes (symgrad's copying reshape) and the size-1 axes are
// repeated by Gorgonia's Broadcast* ops, whose patterns cover at most
// MaxBroadcastAxes axes.

// binaryArith is one elementwise operator: the plain Gorgonia op and the
// broadcasting one.
type binaryArith struct {
	name, sym string
	plain     func(a, b *G.Node) (*G.Node, error)
	bcast     func(a, b *G.Node, left, right []byte) (*G.Node, error)
}

var (
	addArith = binaryArith{"Add", "+", G.Add, G.BroadcastAdd}
	subArith = binaryArith{"Sub", "-", G.Sub, G.BroadcastSub}
	mulArith = binaryArith{"Mul", "*", G.HadamardProd, G.BroadcastHadamardProd}
	divArith = binaryArith{"Div", "/", G.HadamardDiv, G.BroadcastHadamardDiv}
	powArith = binaryArith{"Pow", "^", G.Pow, G.BroadcastPow}
)

// Add is a + b elementwise with broadcasting. Gradient: da = g, db = g
// (each summed over its repeated axes).
func Add(a, b any) (*G.Node, error) { return addArith.apply(a, b) }

// Sub is a - b elementwise with broadcasting. Gradient: da = g, db = -g.
func Sub(a, b any) (*G.Node, error) { return subArith.apply(a, b) }

// Mul is a ⊙ b, the elementwise (Hadamard) product with broadcasting, as
// PyTorch's a * b; MatMul is the matrix product. Gradient: da = g ⊙ b,
// db = g ⊙ a.
func Mul(a, b any) (*G.Node, error) { return mulArith.apply(a, b) }

// Div is a / b elementwise with broadcasting. Gradient: da = g / b,
// db = -g ⊙ a / b².
func Div(a, b any) (*G.Node, error) { return divArith.apply(a, b) }

// Pow is a ^ b elementwise with broadcasting (Gorgonia's Pow). Gradient:
// da = g ⊙ b a^(b-1), db = g ⊙ a^b ln a, which is NaN for a <= 0 (harmless
// when b is a constant: that gradient reaches no parameter).
func Pow(a, b any) (*G.Node, error) { return powArith.apply(a, b) }

// apply resolves the operands and builds the op with broadcasting.
func (op binaryArith) apply(a, b any) (out *G.Node, err error) {
	x, y, err := operands(op.name, a, b)
	if err != nil {
		return nil, err
	}
	defer panics.Recover(&err, "ops.%s of %s", op.name, describePair(x, y))
	out, err = op.build(x, y)
	return out, errors.Wrapf(err, "ops.%s of %s", op.name, describePair(x, y))
}

func (op binaryArith) build(x, y *G.Node) (*G.Node, error) {
	xs, ys := []int(x.Shape()), []int(y.Shape())
	if x.IsScalar() || y.IsScalar() || slices.Equal(xs, ys) {
		return applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return op.plain(in[0], in[1]) }, x, y)
	}
	out, xAxes, yAxes, err := BroadcastShapes(xs, ys)
	if err != nil {
		return nil, errors.Wrap(err, "the shapes do not broadcast")
	}
	if len(out) > MaxBroadcastAxes && len(xAxes)+len(yAxes) > 0 {
		return nil, errors.Errorf("broadcasting supports at most %d axes, the result has %d", MaxBroadcastAxes, len(out))
	}
	if x, err = reshapeTo(x, LiftShape(xs, len(out))); err != nil {
		return nil, err
	}
	if y, err = reshapeTo(y, LiftShape(ys, len(out))); err != nil {
		return nil, err
	}
	if len(xAxes)+len(yAxes) == 0 {
		return applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return op.plain(in[0], in[1]) }, x, y)
	}
	return op.bcast(x, y, xAxes, yAxes)
}

// MatMul is PyTorch's matmul: [m,k] @ [k,n] -> [m,n], [m,k] @ [k] -> [m],
// [k] @ [k,n] -> [n], [k] @ [k] -> a scalar (the dot product), and, when
// either operand has rank 3 or more, the batched product over the leading
// (batch) axes, which broadcast: [B,m,k] @ [k,n] -> [B,m,n],
// [B,m,k] @ [B,k,n] -> [B,m,n], [m,k] @ [B,k,n] -> [B,m,n],
// [A,1,m,k] @ [B,k,n] -> [A,B,m,n]; a vector operand is a row (left) or a
// column (right) whose axis is dropped from the result, as in PyTorch.
//
// Gradient (matrix case): da = g bᵀ, db = aᵀ g; batched: the same per batch
// element, summed over the batch axes an operand was repeated along.
// Implementation: Gorgonia's Mul for ranks 1 and 2, its BatchedMatMul on
// operands broadcast to a common batch and flattened to [batch, m, k].
// A scalar operand and mismatched inner sizes are errors naming both
// operands and their shapes.
func MatMul(a, b *G.Node) (out *G.Node, err error) {
	x, y, err := operands("MatMul", a, b)
	if err != nil {
		return nil, err
	}
	what := describePair(x, y)
	defer panics.Recover(&err, "ops.MatMul of %s", what)
	if x.IsScalar() || y.IsScalar() {
		return nil, errors.Errorf("ops.MatMul of %s: needs tensors of rank 1 or more (use Mul for a scalar)", what)
	}
	inner, against := x.Shape()[x.Dims()-1], y.Shape()[0]
	if y.Dims() >= 2 {
		against = y.Shape()[y.Dims()-2]
	}
	if inner != against {
		return nil, errors.Errorf("ops.MatMul of %s: inner sizes %d and %d differ", what, inner, against)
	}
	if x.Dims() <= 2 && y.Dims() <= 2 {
		out, err = applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.Mul(in[0], in[1]) }, x, y)
	} else {
		out, err = batchedMatMul(x, y)
	}
	return out, errors.Wrapf(err, "ops.MatMul of %s", what)
}

// batchedMatMul is MatMul with a rank-3-or-more operand: both operands
// become [batch..., m, k] and [batch..., k, n] (a vector as [1, k] or
// [k, 1]), broadcast to one batch shape, flattened to 3-D for
// G.BatchedMatMul, and the result reshaped to [batch..., m, n] without the
// vectors' axes.
func batchedMatMul(x, y *G.Node) (*G.Node, error) {
	xs, ys := x.Shape().Clone(), y.Shape().Clone()
	xVec, yVec := len(xs) == 1, len(ys) == 1
	if xVec {
		xs = tensor.Shape{1, xs[0]}
	}
	if yVec {
		ys = tensor.Shape{ys[0], 1}
	}
	batch, _, _, err := BroadcastShapes(xs[:len(xs)-2], ys[:len(ys)-2])
	if err != nil {
		return nil, errors.Wrap(err, "the batch axes do not broadcast")
	}
	m, k, n := xs[len(xs)-2], xs[len(xs)-1], ys[len(ys)-1]
	nb := tensor.Shape(batch).TotalSize()
	full := func(node *G.Node, s tensor.Shape, r, c int) (*G.Node, error) {
		if node, err = reshapeTo(node, s); err != nil {
			return nil, err
		}
		if node, err = broadcastTo(node, append(tensor.Shape(batch).Clone(), r, c)); err != nil {
			return nil, err
		}
		return reshapeTo(node, tensor.Shape{nb, r, c})
	}
	if x, err = full(x, xs, m, k); err != nil {
		return nil, err
	}
	if y, err = full(y, ys, k, n); err != nil {
		return nil, err
	}
	out, err := gorgonia2(func(a, b *G.Node) (*G.Node, error) { return G.BatchedMatMul(a, b) }, x, y)
	if err != nil {
		return nil, err
	}
	res := tensor.Shape(batch).Clone()
	if !xVec {
		res = append(res, m)
	}
	if !yVec {
		res = append(res, n)
	}
	return reshapeTo(out, res)
}

// operands resolves two arithmetic operands to nodes of one graph and one
// float dtype; Go numbers become scalar constants of the other's dtype.
func operands(name string, a, b any) (x, y *G.Node, err error) {
	if x, err = operand(name, "first", a); err != nil {
		return nil, nil, err
	}
	if y, err = operand(name, "second", b); err != nil {
		return nil, nil, err
	}
	switch {
	case x == nil && y == nil:
		return nil, nil, errors.Errorf("ops.%s: at least one operand must be a node, got %v and %v", name, a, b)
	case x != nil && y != nil && x.Graph() != y.Graph():
		return nil, nil, errors.Errorf("ops.%s: %s and %s belong to different graphs", name, label(x), label(y))
	case x == nil:
		x = numberNode(a, y)
	case y == nil:
		y = numberNode(b, x)
	}
	for _, n := range []*G.Node{x, y} {
		if dt := n.Dtype(); dt != tensor.Float64 && dt != tensor.Float32 {
			return nil, nil, errors.Errorf("ops.%s of %s: %s has dtype %v, want float64 or float32", name, describePair(x, y), label(n), dt)
		}
	}
	if x.Dtype() != y.Dtype() {
		return nil, nil, errors.Errorf("ops.%s: %s is %v %v but %s is %v %v (convert one of them)", name,
			label(x), x.Dtype(), x.Shape(), label(y), y.Dtype(), y.Shape())
	}
	return x, y, nil
}

// operand checks one operand: a non-nil node (returned) or a number
// (nil, converted later to the other operand's dtype).
func operand(name, which string, v any) (*G.Node, error) {
	switch n := v.(type) {
	case *G.Node:
		if n == nil {
			return nil, errors.Errorf("ops.%s: the %s operand is a nil node", name, which)
		}
		return n, nil
	case float64, float32, int:
		return nil, nil
	}
	return nil, errors.Errorf("ops.%s: the %s operand is a %T, want a *gorgonia.Node or a number", name, which, v)
}

// numberNode is the Go number v as a scalar constant of other's dtype, in
// other's graph.
func numberNode(v any, other *G.Node) *G.Node {
	dt := other.Dtype()
	var f float64
	switch c := v.(type) {
	case float64:
		f = c
	case float32:
		f = float64(c)
	case int:
		f = float64(c)
	}
	if dt == tensor.Float32 {
		return G.NewConstant(float32(f), G.In(other.Graph()))
	}
	return G.NewConstant(f, G.In(other.Graph()))
}

// label names a node in an error: its name, or its value for a constant.
func label(n *G.Node) string {
	if n.IsScalar() && n.Op() != nil {
		if c, ok := n.Op().(interface{ Value() G.Value }); ok {
			if f, err := float64sOf(c.Value()); err == nil && len(f) == 1 {
				return "the number " + strconv.FormatFloat(f[0], 'g', -1, 64)
			}
		}
	}
	return n.Name()
}

// describePair names two operands and their shapes: "x [4 3] and W [2 2]".
func describePair(x, y *G.Node) string {
	return fmt.Sprintf("%s %v and %s %v", label(x), x.Shape(), label(y), y.Shape())
}

func init() {
	for _, s := range []struct {
		name, fwd, grad string
		f               func(a, b any) (*G.Node, error)
		a, b            Input
	}{
		{"add", "add(a, b) = a + b, broadcasting", "da = Σ g, db = Σ g (Σ over each operand's repeated axes)", Add,
			Input{Name: "a", Shape: []int{3, 4}, Domain: Real}, Input{Name: "b", Shape: []int{4}, Domain: Real}},
		{"sub", "sub(a, b) = a - b, broadcasting", "da = Σ g, db = -Σ g", Sub,
			Input{Name: "a", Shape: []int{3, 1}, Domain: Real}, Input{Name: "b", Shape: []int{1, 4}, Domain: Real}},
		{"mul", "mul(a, b) = a ⊙ b, broadcasting", "da = Σ g ⊙ b, db = Σ g ⊙ a", Mul,
			Input{Name: "a", Shape: []int{2, 3, 4}, Domain: Real}, Input{Name: "b", Shape: []int{3, 1}, Domain: Real}},
		{"div", "div(a, b) = a / b, broadcasting", "da = Σ g / b, db = -Σ g ⊙ a / b²", Div,
			Input{Name: "a", Shape: []int{3, 4}, Domain: Real}, Input{Name: "b", Shape: []int{4}, Domain: Positive}},
		{"pow", "pow(a, b) = a^b, broadcasting", "da = Σ g ⊙ b a^(b-1), db = Σ g ⊙ a^b ln a (a > 0)", Pow,
			Input{Name: "a", Shape: []int{3, 4}, Domain: Positive}, Input{Name: "b", Shape: []int{3, 1}, Domain: Real}},
	} {
		Register(&Spec{
			Name: s.name, Family: "arith", Forward: s.fwd, Gradient: s.grad,
			Notes: "PyTorch's broadcasting (numpy rule), Go numbers as scalars of the other operand's dtype; " +
				"mixed dtypes are an error naming both operands. Gorgonia's elementwise and Broadcast* ops (at most 4 broadcast axes).",
			Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return s.f(n[0], n[1]) },
			MinNodes: 2, MaxNodes: 2,
			Example: Example{Inputs: []Input{s.a, s.b}},
			Dtypes:  floats, TwiceDifferentiable: true,
		})
	}
	for _, c := range []struct {
		name string
		a, b []int
	}{{"matmul", []int{3, 4}, []int{4, 2}}, {"matmulbatched", []int{2, 3, 4}, []int{2, 4, 2}}, {"matmulbroadcast", []int{2, 1, 3, 4}, []int{3, 4, 2}}} {
		Register(&Spec{
			Name: c.name, Family: "arith",
			Forward: "matmul(a, b) = a @ b (torch.matmul): [m,k]@[k,n] -> [m,n], [m,k]@[k] -> [m], [k]@[k,n] -> [n], [k]@[k] -> scalar; " +
				"rank >= 3: batched over broadcast leading axes, [B,m,k]@[B,k,n] -> [B,m,n]",
			Gradient: "da = g bᵀ, db = aᵀ g (vectors as rows or columns; batched: per batch element, summed over repeated batch axes)",
			Notes: "ops.MatMul; Gorgonia's Mul (rank 1 and 2) or BatchedMatMul on operands broadcast and flattened to [batch, m, k]. " +
				"The registry checks it as " + c.name + " on shapes " + fmt.Sprint(c.a) + " @ " + fmt.Sprint(c.b) + ".",
			Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return MatMul(n[0], n[1]) },
			MinNodes: 2, MaxNodes: 2,
			Example: Example{Inputs: []Input{{Name: "a", Shape: c.a, Domain: Real}, {Name: "b", Shape: c.b, Domain: Real}}},
			Dtypes:  floats, TwiceDifferentiable: true,
		})
	}
}

// The selection ops pick, element by element, one of their operands:
// Maximum, Minimum and Where. Operands broadcast (PyTorch's rule, any
// rank: symgrad's broadcast op, whose gradient sums over the repeated
// axes) and may be Go numbers, as in the arithmetic above.
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
func (op *selectOp) DiffWRT(n int) []bool  { return allTrue(n) }

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

// The broadcasting rule shared by the arithmetic and the selection ops
// (arith.go) and the expression language (compiler/expr), which calls
// these functions rather than keeping a copy.
//
// The numpy (and PyTorch) rule: shapes are aligned at their trailing axis,
// a missing axis counts as size 1, and on each axis the two sizes must be
// equal or one of them 1; the result takes the larger. A scalar (0-d)
// broadcasts to any shape. [4,2] with [2] -> [4,2]; [4,1] with [1,3] ->
// [4,3]; [2,3,4] with [3,1] -> [2,3,4]; [4,2] with [3] is an error.

// MaxBroadcastAxes is the rank limit of Gorgonia's BroadcastPattern, which
// the arithmetic uses: broadcasting results of higher rank are an error
// (equal shapes of any rank are fine).
const MaxBroadcastAxes = 4

// BroadcastShapes applies the broadcasting rule to shapes xs and ys. It
// returns the result shape and the axes (of the result) along which x and y
// are repeated; an error names the first axis whose sizes clash.
func BroadcastShapes(xs, ys []int) (out []int, xAxes, yAxes []byte, err error) {
	r := max(len(xs), len(ys))
	out = make([]int, r)
	for i := range r {
		dx, dy := dimFromEnd(xs, r-1-i), dimFromEnd(ys, r-1-i)
		switch {
		case dx == dy:
			out[i] = dx
		case dx == 1:
			out[i] = dy
			xAxes = append(xAxes, byte(i))
		case dy == 1:
			out[i] = dx
			yAxes = append(yAxes, byte(i))
		default:
			return nil, nil, nil, fmt.Errorf("axis %d: size %d against %d", i, dx, dy)
		}
	}
	return out, xAxes, yAxes, nil
}

// dimFromEnd returns the size of the k-th axis from the end of s, 1 when s
// has fewer axes.
func dimFromEnd(s []int, k int) int {
	if k >= len(s) {
		return 1
	}
	return s[len(s)-1-k]
}

// LiftShape is s with leading 1-axes added up to rank r (s itself when it
// already has rank r or more).
func LiftShape(s []int, r int) tensor.Shape {
	if len(s) >= r {
		return tensor.Shape(s).Clone()
	}
	to := make(tensor.Shape, r)
	for i := range to {
		to[i] = dimFromEnd(s, r-1-i)
	}
	return to
}

// broadcastIndex maps every flat index of shape `to` to the flat index of
// the element of shape from (broadcastable to `to`) that it repeats.
func broadcastIndex(from, to tensor.Shape) []int {
	s := LiftShape(from, len(to))
	stride := make([]int, len(s))
	acc := 1
	for d := len(s) - 1; d >= 0; d-- {
		if s[d] != 1 {
			stride[d] = acc
		}
		acc *= s[d]
	}
	n := to.TotalSize()
	out := make([]int, n)
	coord := make([]int, len(to))
	for i := 0; i < n; i++ {
		j := 0
		for d, c := range coord {
			j += c * stride[d]
		}
		out[i] = j
		for d := len(coord) - 1; d >= 0; d-- { // next coordinate, row-major
			if coord[d]++; coord[d] < to[d] {
				break
			}
			coord[d] = 0
		}
	}
	return out
}

// broadcastTo repeats x up to shape to (x's shape broadcastable to it);
// x itself when it already has that shape.
func broadcastTo(x *G.Node, to tensor.Shape) (*G.Node, error) {
	if x.Shape().Eq(to) && x.Dims() == len(to) {
		return x, nil
	}
	out, err := Apply(&broadcastToOp{from: x.Shape().Clone(), to: to.Clone()}, x)
	return out, errors.Wrapf(err, "broadcasting %s %v to %v", x.Name(), x.Shape(), to)
}

// broadcastToOp is the broadcast of x (shape from) to shape to,
// out[i] = x[index(i)] at any rank, or (sum) its adjoint, which sums g
// (shape from) onto shape to: out[j] = Σ_{i: index(i) = j} g[i]. Each is
// the other's gradient, so both are differentiable any number of times.
type broadcastToOp struct {
	unaryBase
	from, to tensor.Shape
	sum      bool
}

func (op *broadcastToOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(typeOfDims(op.from.Dims(), a), typeOfDims(op.to.Dims(), a))
}
func (op *broadcastToOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.to.Clone(), nil }
func (op *broadcastToOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	res := choose(op.sum, sumTo, repeatTo)(x, op.from, op.to)
	return valueOf(res, op.to, dtypeOf(vs[0]))
}

// repeatTo is x (shape from) broadcast to shape to.
func repeatTo(x []float64, from, to tensor.Shape) []float64 {
	idx := broadcastIndex(from, to)
	res := make([]float64, len(idx))
	for i, j := range idx {
		res[i] = x[j]
	}
	return res
}

// sumTo is g (shape from) summed onto shape to.
func sumTo(g []float64, from, to tensor.Shape) []float64 {
	res := make([]float64, max(to.TotalSize(), 1))
	for i, j := range broadcastIndex(to, from) {
		res[j] += g[i]
	}
	return res
}

func (op *broadcastToOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *broadcastToOp) Hashcode() uint32      { return hashOf(op) }
func (op *broadcastToOp) String() string {
	return fmt.Sprintf("%s%v->%v", choose(op.sum, "sumto", "broadcast"), op.from, op.to)
}

// SymDiff is the other broadcastToOp applied to g: dx = sumTo(g, shape of
// x) for the broadcast, dg = broadcast(g', shape from) for the sum.
func (op *broadcastToOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	d, err := Apply(&broadcastToOp{from: op.to, to: op.from, sum: !op.sum}, g)
	return G.Nodes{d}, err
}

// reshapeTo reshapes x to shape to with the copying reshape op (x itself
// when it already has that shape).
func reshapeTo(x *G.Node, to tensor.Shape) (*G.Node, error) {
	if to.Eq(x.Shape()) && len(to) == x.Dims() {
		return x, nil
	}
	out, err := Apply(&reshapeOp{from: x.Shape().Clone(), to: to.Clone()}, x)
	return out, errors.Wrapf(err, "reshape of %s %v to %v", x.Name(), x.Shape(), to)
}

// KindBroadcastTo is the kind of the broadcasting repeat.
var KindBroadcastTo = NewKind("broadcastto")

// KindSumTo is the kind of the broadcasting repeat's gradient.
var KindSumTo = NewKind("sumto")

// Identity is KindSumTo or KindBroadcastTo.
func (op *broadcastToOp) Identity() Identity {
	return Identity{Kind: choose(op.sum, KindSumTo, KindBroadcastTo)}
}

// expand repeats x (of shape `to` without `axis`) along axis to shape to.
func expand(x *G.Node, axis int, to tensor.Shape) (*G.Node, error) {
	out, err := Apply(&expandOp{axis: axis, to: to.Clone()}, x)
	return out, errors.Wrapf(err, "expanding %s %v along %d to %v", x.Name(), x.Shape(), axis, to)
}

// expandOp is the broadcast out[o, k, i] = x[o, i] along one axis. Its
// gradient is Σ_axis g, Gorgonia's Sum (checked by the sum registry entry).
//
// symgrad uses it instead of Gorgonia's Broadcast* ops, which allow at most
// 4 axes and build a Reshape (an aliasing view) and a chain of Repeats.
type expandOp struct {
	unaryBase
	axis int
	to   tensor.Shape
}

func (op *expandOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(typeOfDims(op.to.Dims()-1, a), typeOfDims(op.to.Dims(), a))
}
func (op *expandOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.to.Clone(), nil }
func (op *expandOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	outer, n, inner := kernels.AxisLayout(op.to, op.axis)
	res := make([]float64, outer*n*inner)
	for o := 0; o < outer; o++ {
		for k := 0; k < n; k++ {
			copy(res[(o*n+k)*inner:(o*n+k+1)*inner], x[o*inner:(o+1)*inner])
		}
	}
	return valueOf(res, op.to, dtypeOf(vs[0]))
}
func (op *expandOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *expandOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindExpand is the kind of the broadcast expand along Identity.Axis.
	KindExpand = NewKind("expand")
)

// Identity is KindExpand.
func (op *expandOp) Identity() Identity { return Identity{Kind: KindExpand, Axis: op.axis} }

func (op *expandOp) String() string { return fmt.Sprintf("expand(axis=%d to %v)", op.axis, op.to) }

// SymDiff is dL/dx = Σ_axis g.
func (op *expandOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	s, err := G.Sum(g, op.axis)
	return G.Nodes{s}, err
}

// float64sOf returns a value's elements as float64 (a copy for float32).
func float64sOf(v G.Value) ([]float64, error) {
	switch x := v.(type) {
	case *G.F64:
		return []float64{float64(*x)}, nil
	case *G.F32:
		return []float64{float64(*x)}, nil
	case tensor.Tensor:
		d, err := dense(x)
		if err != nil {
			return nil, err
		}
		switch d.Dtype() {
		case tensor.Float64:
			return d.Float64s(), nil
		case tensor.Float32:
			f := d.Float32s()
			out := make([]float64, len(f))
			for i, e := range f {
				out[i] = float64(e)
			}
			return out, nil
		}
		return nil, errors.Errorf("unsupported dtype %v", d.Dtype())
	}
	return nil, errors.Errorf("unsupported value %T", v)
}

// dtypeOf is a value's dtype.
func dtypeOf(v G.Value) tensor.Dtype { return v.Dtype() }

// valueOf builds a value of dtype dt from float64 data: a scalar for an
// empty shape, else a dense tensor.
func valueOf(data []float64, shape tensor.Shape, dt tensor.Dtype) (G.Value, error) {
	if len(shape) == 0 {
		if dt == tensor.Float32 {
			return G.NewF32(float32(data[0])), nil
		}
		return G.NewF64(data[0]), nil
	}
	switch dt {
	case tensor.Float64:
		return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(data)), nil
	case tensor.Float32:
		f := make([]float32, len(data))
		for i, e := range data {
			f[i] = float32(e)
		}
		return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(f)), nil
	}
	return nil, errors.Errorf("unsupported dtype %v", dt)
}

// Expand's preallocated output (the broadcasts of attention and layer
// norms), so that the planned executor runs it without allocating. It
// computes what Do computes, in the same order and precision (compiler
// checks the two bit for bit on the first run).

var _ G.UsePreallocDoer = (*expandOp)(nil)

// UsePreallocDo writes x repeated along the op's axis into prealloc.
func (op *expandOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	x, y, _, err := preallocOperands(op, "expand", 1, vs, prealloc)
	if err != nil {
		return nil, err
	}
	outer, n, inner := kernels.AxisLayout(op.to, op.axis)
	if x.DataSize() != outer*inner || y.DataSize() != outer*n*inner {
		return nil, errors.Errorf("%v: input %v, output %v", op, x.Shape(), y.Shape())
	}
	if x.Dtype() == tensor.Float64 {
		expandInto(floatsOrNil[float64](y), floatsOrNil[float64](x), outer, n, inner)
	} else {
		expandInto(floatsOrNil[float32](y), floatsOrNil[float32](x), outer, n, inner)
	}
	return prealloc, nil
}

// expandInto is y[o, k, i] = x[o, i].
func expandInto[T kernels.Float](y, x []T, outer, n, inner int) {
	if inner == 1 { // along the last axis (softmax's): fill each row
		for o, v := range x[:outer] {
			row := y[o*n : (o+1)*n]
			for k := range row {
				row[k] = v
			}
		}
		return
	}
	for o := 0; o < outer; o++ {
		for k := 0; k < n; k++ {
			copy(y[(o*n+k)*inner:(o*n+k+1)*inner], x[o*inner:(o+1)*inner])
		}
	}
}

// ColSum is the column sum of a matrix x [B, N]: y_j = Σ_i x_ij, [N]
// (the bias gradient of Linear).
//
// Gradient: dx = BroadcastRows(g, B), g copied into every row.
func ColSum(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "colsum")
	if err := checkFloatNode("colsum", x); err != nil {
		return nil, err
	}
	if x.Dims() != 2 {
		return nil, errors.Errorf("colsum: %s has shape %v, want a matrix", x.Name(), x.Shape())
	}
	out, err = Apply(&rowsOp{sum: true, rows: x.Shape()[0]}, x)
	return out, errors.Wrapf(err, "colsum of %s %v", x.Name(), x.Shape())
}

// BroadcastRows repeats the vector v [N] as the rows of a [rows, N] matrix.
//
// Gradient: dv = ColSum(g).
func BroadcastRows(v *G.Node, rows int) (out *G.Node, err error) {
	defer panics.Recover(&err, "broadcastrows")
	if err := checkFloatNode("broadcastrows", v); err != nil {
		return nil, err
	}
	if v.Dims() != 1 || rows <= 0 {
		return nil, errors.Errorf("broadcastrows: %s has shape %v (rows %d), want a vector and rows > 0", v.Name(), v.Shape(), rows)
	}
	out, err = Apply(&rowsOp{rows: rows}, v)
	return out, errors.Wrapf(err, "broadcastrows of %s %v", v.Name(), v.Shape())
}

// rowsOp is ColSum ([rows, N] -> [N]) when sum, else BroadcastRows
// ([N] -> [rows, N]); each is the other's gradient.
type rowsOp struct {
	unaryBase
	sum  bool
	rows int
}

var (
	_ G.SDOp            = (*rowsOp)(nil)
	_ G.UsePreallocDoer = (*rowsOp)(nil)
)

func (op *rowsOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return fnType(!op.sum, G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a})
}
func (op *rowsOp) outShape(in tensor.Shape) (tensor.Shape, error) {
	switch {
	case op.sum && len(in) == 2 && in[0] == op.rows:
		return tensor.Shape{in[1]}, nil
	case !op.sum && len(in) == 1:
		return tensor.Shape{op.rows, in[0]}, nil
	}
	return nil, errors.Errorf("%v: input shape %v does not fit", op, in)
}
func (op *rowsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return inferUnary(op, in)
}
func (op *rowsOp) Do(vs ...G.Value) (G.Value, error) { return doUnary(op, vs) }
func (op *rowsOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	x, y, _, err := preallocOperands(op, "colsum/broadcastrows", 1, vs, prealloc)
	if err != nil {
		return nil, err
	}
	xs, ys := x.Shape(), y.Shape() // no copies: the values' own shapes
	sum, bcast := op.sum && len(xs) == 2 && len(ys) == 1 && xs[0] == op.rows && xs[1] == ys[0],
		!op.sum && len(xs) == 1 && len(ys) == 2 && ys[0] == op.rows && ys[1] == xs[0]
	if !sum && !bcast {
		return nil, errors.Errorf("%v: input shape %v, output shape %v", op, xs, ys)
	}
	if y.Dtype() == tensor.Float64 {
		rowsKernel(op.sum, x.Float64s(), y.Float64s())
	} else {
		rowsKernel(op.sum, x.Float32s(), y.Float32s())
	}
	return prealloc, nil
}

// rowsKernel sums the rows of x into y (sum) or copies x into y's rows.
func rowsKernel[T float32 | float64](sum bool, x, y []T) {
	if !sum {
		repeatRows(y, x)
		return
	}
	n := len(y)
	copy(y, x[:n])
	for i := n; i+n <= len(x); i += n {
		row := x[i : i+n]
		for j := range y {
			y[j] += row[j]
		}
	}
}

func (op *rowsOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *rowsOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindBroadcastRows is the kind of BroadcastRows.
	KindBroadcastRows = NewKind("broadcastrows")
	// KindColSum is the kind of ColSum.
	KindColSum = NewKind("colsum")
)

// Identity is KindColSum or KindBroadcastRows.
func (op *rowsOp) Identity() Identity {
	return Identity{Kind: choose(op.sum, KindColSum, KindBroadcastRows)}
}

func (op *rowsOp) String() string {
	return fmt.Sprintf("%s(rows=%d)", choose(op.sum, "colsum", "broadcastrows"), op.rows)
}

// SymDiff is the other rowsOp applied to g.
func (op *rowsOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	return applyAdjoint(op, &rowsOp{sum: !op.sum, rows: op.rows}, g)
}

func init() {
	Register(&Spec{Name: "colsum", Family: "fused",
		Reference: refColSum, ReferenceOf: "Gorgonia's Sum along axis 0", Forward: "colsum(x)_j = Σ_i x_ij (x [B,N] -> [N])",
		Gradient: "dx = broadcastrows(g, B)", Notes: "symgrad op: Linear's bias gradient, written into a preallocated buffer.",
		Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return ColSum(n[0]) },
		MinNodes: 1, MaxNodes: 1,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{4, 3}, Domain: Real}}},
		Dtypes:  floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "broadcastrows", Family: "fused", Forward: "broadcastrows(v, B)_ij = v_j (v [N] -> [B,N])",
		Gradient: "dv = colsum(g)", Notes: "symgrad op: the bias broadcast of Linear's primitive equivalent; the adjoint of colsum.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			rows := 3
			if len(p) > 0 {
				rows = int(p[0])
			}
			return BroadcastRows(n[0], rows)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 1,
		Example: Example{Inputs: []Input{{Name: "v", Shape: []int{4}, Domain: Real}}, Params: []float64{3}},
		Dtypes:  floats, TwiceDifferentiable: true})
}

// refColSum is colsum as Gorgonia's Sum along axis 0.
func refColSum(n []*G.Node, _ []float64) (*G.Node, error) { return G.Sum(n[0], 0) }
