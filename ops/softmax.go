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
	"github.com/symgrad/symgrad/ops/kernels/vmath"
)

// LogSumExp is log Σ_axis e^x, computed as m + log Σ e^(x - m) with m the
// maximum along axis, so it never overflows. axis may be negative (-1 is the
// last axis); the axis is removed from the shape.
//
// Gradient: dL/dx = g ⊙ softmax(x, axis) = g ⊙ e^(x - lse(x)), g broadcast
// along axis.
//
// Gorgonia's LogSumExp computes log(Σ e^(x-m) + m) and sums once more: its
// value is wrong (TestGorgoniaLogSumExpIsWrong).
func LogSumExp(x *G.Node, axis int) (out *G.Node, err error) {
	defer panics.Recover(&err, "logsumexp of %s", x.Name())
	if err := checkFloatNode("logsumexp", x); err != nil {
		return nil, err
	}
	a, err := normAxis("logsumexp", x, axis)
	if err != nil {
		return nil, err
	}
	out, err = Apply(&lseOp{axis: a, shape: x.Shape().Clone()}, x)
	return out, errors.Wrapf(err, "logsumexp of %s %v along %d", x.Name(), x.Shape(), a)
}

// LogSoftmax is x - logsumexp(x, axis) broadcast along axis: stable for
// any x. axis may be negative.
//
// Gradient: g - softmax(x) ⊙ Σ_axis g (through logsumexp's gradient).
func LogSoftmax(x *G.Node, axis int) (out *G.Node, err error) {
	defer panics.Recover(&err, "logsoftmax of %s", x.Name())
	lse, err := LogSumExp(x, axis)
	if err != nil {
		return nil, errors.Wrap(err, "logsoftmax")
	}
	op := OpOf(lse).(*lseOp)
	e, err := expand(lse, op.axis, op.shape)
	if err != nil {
		return nil, errors.Wrap(err, "logsoftmax")
	}
	out, err = gorgonia2(G.Sub, x, e)
	return out, errors.Wrapf(err, "logsoftmax of %s %v", x.Name(), x.Shape())
}

// Softmax is e^(logsoftmax(x, axis)): each slice along axis sums to 1;
// stable for any x (the exponent is <= 0). axis may be negative.
//
// Gradient: s ⊙ (g - Σ_axis s ⊙ g), s = softmax(x).
func Softmax(x *G.Node, axis int) (out *G.Node, err error) {
	defer panics.Recover(&err, "softmax of %s", x.Name())
	ls, err := LogSoftmax(x, axis)
	if err != nil {
		return nil, errors.Wrap(err, "softmax")
	}
	out, err = gorgonia1(G.Exp, ls)
	return out, errors.Wrap(err, "softmax")
}

func init() {
	axisSpec := func(name, fwd, grad, notes string, f func(*G.Node, int) (*G.Node, error)) {
		Register(&Spec{
			Name: name, Family: "softmax", Forward: fwd, Gradient: grad, Notes: notes,
			Build: func(n []*G.Node, p []float64) (*G.Node, error) {
				ax, err := oneInt(name, p, -1)
				if err != nil {
					return nil, err
				}
				return f(n[0], ax)
			},
			MinNodes: 1, MaxNodes: 1, MaxParams: 1,
			Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 3, 4}, Domain: Domain{Min: -3, Max: 3}}}, Params: []float64{1}},
			Dtypes:  floats, TwiceDifferentiable: true,
		})
	}
	axisSpec("logsumexp", "logsumexp(x, axis) = m + log Σ_axis e^(x - m), m = max_axis x (axis defaults to -1)",
		"g ⊙ e^(x - logsumexp(x)) (g broadcast along axis)",
		"symgrad op; stable. Gorgonia's LogSumExp computes the wrong value.", LogSumExp)
	axisSpec("logsoftmax", "logsoftmax(x, axis) = x - logsumexp(x, axis)", "g - softmax(x) ⊙ Σ_axis g",
		"Composite of logsumexp; stable for any x. Avoids Gorgonia's LogSoftMax (hashes like SoftMax, issue 569).", LogSoftmax)
	axisSpec("softmax", "softmax(x, axis) = exp(logsoftmax(x, axis))", "s ⊙ (g - Σ_axis s ⊙ g), s = softmax(x)",
		"Composite; stable for any x. Avoids Gorgonia's SoftMax and its Log(SoftMax) rewrite.", Softmax)
}

// removeAxis returns shape without axis.
func removeAxis(shape tensor.Shape, axis int) tensor.Shape {
	out := append(tensor.Shape{}, shape[:axis]...)
	return append(out, shape[axis+1:]...)
}

// typeOfDims is a tensor type of d dims over a, or a itself for d = 0.
func typeOfDims(d int, a hm.Type) hm.Type {
	if d == 0 {
		return a
	}
	return G.TensorType{Dims: d, Of: a}
}

// lseOp is logsumexp along axis of a tensor of the given shape.
type lseOp struct {
	unaryBase
	axis  int
	shape tensor.Shape
}

func (op *lseOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(typeOfDims(op.shape.Dims(), a), typeOfDims(op.shape.Dims()-1, a))
}
func (op *lseOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return removeAxis(op.shape, op.axis), nil
}
func (op *lseOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	outer, n, inner := kernels.AxisLayout(op.shape, op.axis)
	res := make([]float64, outer*inner)
	lseInto(res, x, outer, n, inner)
	return valueOf(res, removeAxis(op.shape, op.axis), dtypeOf(vs[0]))
}
func (op *lseOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *lseOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindLogSumExp is the kind of LogSumExp along Identity.Axis.
	KindLogSumExp = NewKind("logsumexp")
)

// Identity is KindLogSumExp.
func (op *lseOp) Identity() Identity { return Identity{Kind: KindLogSumExp, Axis: op.axis} }

func (op *lseOp) String() string { return fmt.Sprintf("logsumexp(axis=%d of %v)", op.axis, op.shape) }

// SymDiff is dL/dx = expand(g) ⊙ exp(x - expand(y)).
func (op *lseOp) SymDiff(in G.Nodes, y, g *G.Node) (G.Nodes, error) {
	ey, err := expand(y, op.axis, op.shape)
	if err != nil {
		return nil, err
	}
	d, err := G.Sub(in[0], ey)
	if err != nil {
		return nil, err
	}
	if d, err = G.Exp(d); err != nil {
		return nil, err
	}
	eg, err := expand(g, op.axis, op.shape)
	if err != nil {
		return nil, err
	}
	gx, err := G.HadamardProd(eg, d)
	return G.Nodes{gx}, err
}

// Logsumexp's preallocated output (the softmax of attention), computed
// as Do computes it, in the same order and precision.

var _ G.UsePreallocDoer = (*lseOp)(nil)

// UsePreallocDo writes logsumexp along the op's axis into prealloc.
func (op *lseOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	x, y, _, err := preallocOperands(op, "logsumexp", 1, vs, prealloc)
	if err != nil {
		return nil, err
	}
	outer, n, inner := kernels.AxisLayout(op.shape, op.axis)
	if x.DataSize() != outer*n*inner || y.DataSize() != outer*inner {
		return nil, errors.Errorf("%v: input %v, output %v", op, x.Shape(), y.Shape())
	}
	if x.Dtype() == tensor.Float64 {
		lseInto(floatsOrNil[float64](y), floatsOrNil[float64](x), outer, n, inner)
	} else {
		lseInto(floatsOrNil[float32](y), floatsOrNil[float32](x), outer, n, inner)
	}
	return prealloc, nil
}

// lseInto is y[o, i] = m + log Σ_k e^(x[o, k, i] - m), m = max_k x[o, k, i],
// in float64 (lseOp.Do computes with it too). Along the last axis (inner
// 1, softmax's) a row's exponentials go through vmath.Exp, a chunk at a
// time; the sum runs in k order either way.
func lseInto[T kernels.Float](y, x []T, outer, n, inner int) {
	var buf [lseChunk]float64
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			m := math.Inf(-1)
			for k := 0; k < n; k++ {
				m = math.Max(m, float64(x[(o*n+k)*inner+i]))
			}
			s := 0.0
			if inner == 1 {
				row := x[o*n : (o+1)*n]
				for lo := 0; lo < n; lo += lseChunk {
					b := buf[:min(lseChunk, n-lo)]
					for k := range b {
						b[k] = float64(row[lo+k]) - m
					}
					vmath.Exp(b, b)
					for _, e := range b {
						s += e
					}
				}
			} else {
				for k := 0; k < n; k++ {
					s += math.Exp(float64(x[(o*n+k)*inner+i]) - m)
				}
			}
			y[o*inner+i] = T(m + math.Log(s))
		}
	}
}

// lseChunk is how many exponentials of a row lseInto takes at a time.
const lseChunk = 256

// AttentionMask adds the masks of PyTorch's MultiheadAttention to attention
// scores [B, ..., L, S] (B the batch, L the queries, S the keys; any axes
// between, such as the heads):
//
//	out[b, ..., l, s] = scores[b, ..., l, s] + pad[b, s] + causal[l, s]
//
// keyPadding, when not nil, is PyTorch's key_padding_mask [B, S]: a bool
// tensor (true: the key is padding, its score becomes -Inf) or a float
// tensor of the scores' dtype that is added as it is (0 keeps a key, -Inf
// drops it). causal adds -Inf above the diagonal (s > l), PyTorch's
// generate_square_subsequent_mask / attn_mask = triu(ones(L, S), 1).
//
// A row whose every score ends up -Inf has no key left to attend to:
// PyTorch 1.13's softmax then gives NaN for the whole row (and its
// gradient). AttentionMask returns an error naming the row instead of
// letting NaN through silently.
//
// Gradient, as PyTorch's (the masks are added): dL/dscores = g (where a
// mask is -Inf the softmax that follows gives the score a zero gradient);
// for a float mask dL/dpad[b, s] = Σ g[b, …, :, s] over every axis but the
// batch and the keys (a bool mask is not differentiable).
func AttentionMask(scores, keyPadding *G.Node, causal bool) (out *G.Node, err error) {
	defer panics.Recover(&err, "attention mask")
	if err := checkFloatNode("attention mask", scores); err != nil {
		return nil, err
	}
	s := scores.Shape()
	if len(s) < 2 {
		return nil, errors.Errorf("attention mask: scores %s has shape %v, want [B, ..., L, S]", scores.Name(), s)
	}
	op := &attnMaskOp{shape: s.Clone(), causal: causal}
	ins := []*G.Node{scores}
	if keyPadding != nil {
		if err := checkPaddingMask(scores, keyPadding); err != nil {
			return nil, err
		}
		op.padDims = keyPadding.Dims()
		op.padDtype = keyPadding.Dtype()
		ins = append(ins, keyPadding)
	}
	if keyPadding == nil && !causal {
		return scores, nil
	}
	out, err = Apply(op, ins...)
	return out, errors.Wrapf(err, "%v of %s %v", op, scores.Name(), s)
}

// checkPaddingMask checks that mask is a bool or scores-dtype [B, S] tensor.
func checkPaddingMask(scores, mask *G.Node) error {
	s, m := scores.Shape(), mask.Shape()
	if mask.Dtype() != tensor.Bool && mask.Dtype() != scores.Dtype() {
		return errors.Errorf("attention mask: key padding mask %s has dtype %v, want bool or %v", mask.Name(), mask.Dtype(), scores.Dtype())
	}
	if len(s) < 3 || len(m) != 2 || m[0] != s[0] || m[1] != s[len(s)-1] {
		return errors.Errorf("attention mask: key padding mask %s has shape %v, want [batch, keys] = [%d, %d] for scores %v",
			mask.Name(), m, s[0], s[len(s)-1], s)
	}
	return nil
}

// attnMaskOp is scores + key padding mask + causal mask.
type attnMaskOp struct {
	opBase
	shape    tensor.Shape
	causal   bool
	padDims  int          // 0: no key padding mask
	padDtype tensor.Dtype // bool or the scores' dtype
}

var _ G.SDOp = (*attnMaskOp)(nil)

func (op *attnMaskOp) Arity() int {
	if op.padDims == 0 {
		return 1
	}
	return 2
}
func (op *attnMaskOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := G.TensorType{Dims: len(op.shape), Of: a}
	if op.padDims == 0 {
		return hm.NewFnType(t, t)
	}
	var m hm.Type = G.TensorType{Dims: 2, Of: a}
	if op.padDtype == tensor.Bool {
		m = G.TensorType{Dims: 2, Of: tensor.Bool}
	}
	return hm.NewFnType(t, m, t)
}
func (op *attnMaskOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }

func (op *attnMaskOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != op.Arity() {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, op.Arity(), len(vs))
	}
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	out := append([]float64(nil), x...)
	var pad func(b, s int) float64
	if op.padDims != 0 {
		if pad, err = op.padFunc(vs[1]); err != nil {
			return nil, err
		}
	}
	nb, ns, nl := op.shape[0], op.shape[len(op.shape)-1], op.shape[len(op.shape)-2]
	mid := op.shape.TotalSize() / (nb * nl * ns)
	for b := range nb {
		for h := range mid {
			for l := range nl {
				row := out[((b*mid+h)*nl+l)*ns:][:ns]
				live := false
				for s := range row {
					if pad != nil {
						row[s] += pad(b, s)
					}
					if op.causal && s > l {
						row[s] = math.Inf(-1)
					}
					live = live || !math.IsInf(row[s], -1)
				}
				if !live {
					return nil, errors.Errorf("attention mask: every key is masked for batch row %d, query %d (PyTorch 1.13 gives NaN attention there); leave at least one key unmasked per query", b, l)
				}
			}
		}
	}
	return valueOf(out, op.shape, vs[0].Dtype())
}

// padFunc reads the key padding mask value: -Inf where a bool mask is
// true, the value itself for a float mask.
func (op *attnMaskOp) padFunc(v G.Value) (func(b, s int) float64, error) {
	ns := op.shape[len(op.shape)-1]
	if !equalDims(v.Shape(), tensor.Shape{op.shape[0], ns}) {
		return nil, errors.Errorf("attention mask: key padding mask has shape %v, want [%d, %d]", v.Shape(), op.shape[0], ns)
	}
	if op.padDtype == tensor.Bool {
		t, ok := v.(tensor.Tensor)
		if !ok {
			return nil, errors.Errorf("attention mask: key padding mask is a %T", v)
		}
		d, err := contiguous(t)
		if err != nil {
			return nil, err
		}
		m, ok := d.Data().([]bool)
		if !ok {
			return nil, errors.Errorf("attention mask: key padding mask holds %T, want []bool", d.Data())
		}
		return func(b, s int) float64 {
			if m[b*ns+s] {
				return math.Inf(-1)
			}
			return 0
		}, nil
	}
	f, err := float64sOf(v)
	if err != nil {
		return nil, errors.Wrap(err, "attention mask: key padding mask")
	}
	return func(b, s int) float64 { return f[b*ns+s] }, nil
}

func (op *attnMaskOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *attnMaskOp) Hashcode() uint32      { return hashOf(op) }
func (op *attnMaskOp) String() string {
	return fmt.Sprintf("attnmask(%v, causal=%v, pad=%d-d %v)", []int(op.shape), op.causal, op.padDims, op.padDtype)
}
func (op *attnMaskOp) DiffWRT(n int) []bool {
	if n == 1 {
		return []bool{true}
	}
	return []bool{true, op.padDtype != tensor.Bool}
}

// SymDiff is dL/dscores = g and, for a float mask, dL/dpad = g summed over
// every axis but the first and the last.
func (op *attnMaskOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	if len(in) == 1 {
		return G.Nodes{g}, nil
	}
	if op.padDtype == tensor.Bool {
		return G.Nodes{g, nil}, nil
	}
	axes := make([]int, 0, len(op.shape)-2)
	for a := 1; a < len(op.shape)-1; a++ {
		axes = append(axes, a)
	}
	gm, err := G.Sum(g, axes...)
	return G.Nodes{g, gm}, err
}

func init() {
	Register(&Spec{Name: "attnmask", Family: "attention",
		Forward:  "attnmask(x, m, causal)[b, …, l, s] = x[b, …, l, s] + m[b, s] + (−∞ if causal and s > l, else 0); m is PyTorch's key_padding_mask [B, S] (bool: true → −∞; float: added)",
		Gradient: "dx = g; dm[b, s] = Σ g[b, …, :, s] over the axes between (float m; a bool m is not differentiable)",
		Notes:    "symgrad op: a row with every key masked is an error naming the row (PyTorch 1.13's softmax gives NaN there). A float mask of -Inf values trips the compiler's finite-input guard; use a bool mask. The registry example is the float mask without the causal part (an -Inf output would make its check's loss -Inf); TestAttentionMaskCausalBool checks the rest inside a softmax.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			var m *G.Node
			if len(n) > 1 {
				m = n[1]
			}
			return AttentionMask(n[0], m, len(p) > 0 && p[0] != 0)
		},
		MinNodes: 1, MaxNodes: 2, MaxParams: 1,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 3, 3}, Domain: Real},
			{Name: "m", Shape: []int{2, 3}, Domain: Real}}, Params: []float64{0}},
		Dtypes: floats, TwiceDifferentiable: true})
}

// KindAttentionMask is the kind of AttentionMask.
var KindAttentionMask = NewKind("attnmask")

// Identity is KindAttentionMask.
func (op *attnMaskOp) Identity() Identity { return Identity{Kind: KindAttentionMask} }
