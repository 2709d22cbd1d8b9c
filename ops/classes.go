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
)

// CrossEntropy is PyTorch's CrossEntropyLoss over logits x [B, C] and int64
// class indices c [B]: reduce_b(logsumexp(x_b) - x_b[c_b]), fused and
// stable for any logits (the max is subtracted inside logsumexp).
//
// Gradient: d/dx = (softmax(x) - onehot(c)) / B for Mean (no /B for Sum),
// computed by its own op from the logits.
func CrossEntropy(logits, classes *G.Node, r ...Reduction) (out *G.Node, err error) {
	defer panics.Recover(&err, "CrossEntropy loss")
	red, err := reductionOf(r)
	if err != nil {
		return nil, errors.Wrap(err, "CrossEntropy loss")
	}
	if err := checkClasses("CrossEntropy loss", logits, classes); err != nil {
		return nil, err
	}
	out, err = Apply(&ceOp{red: red, shape: logits.Shape().Clone()}, logits, classes)
	return out, errors.Wrapf(err, "CrossEntropy loss of %s %v", logits.Name(), logits.Shape())
}

// NLL is PyTorch's NLLLoss over log-probabilities [B, C] and int64 class
// indices [B]: reduce_b(-logProbs[b, c_b]).
//
// Gradient: d/dlogProbs = -onehot(c) / B for Mean (no /B for Sum).
func NLL(logProbs, classes *G.Node, r ...Reduction) (out *G.Node, err error) {
	defer panics.Recover(&err, "NLL loss")
	red, err := reductionOf(r)
	if err != nil {
		return nil, errors.Wrap(err, "NLL loss")
	}
	if err := checkClasses("NLL loss", logProbs, classes); err != nil {
		return nil, err
	}
	picked, err := Apply(&pickOp{shape: logProbs.Shape().Clone()}, logProbs, classes)
	if err != nil {
		return nil, errors.Wrap(err, "NLL loss: picking the classes")
	}
	s, err := reduce(picked, red)
	if err != nil {
		return nil, errors.Wrap(err, "NLL loss")
	}
	return gorgonia1(G.Neg, s)
}

func init() {
	for _, s := range []struct {
		name, fwd, grad, notes string
		f                      func(a, b *G.Node, r ...Reduction) (*G.Node, error)
		twice                  bool
	}{
		{"crossentropy", "crossentropy(x, c) = mean_b(logsumexp(x_b) - x_b[c_b]), x [B,C], c int64 [B]",
			"d/dx = (softmax(x) - onehot(c)) / B", "symgrad fused op, stable for any logits; its gradient is its own op (not differentiable again). Every target must be a class; PyTorch's options (weight, ignore_index, label_smoothing, reduction) through extra arguments, see crossentropyopt.",
			CrossEntropy, false},
		{"nll", "nll(l, c) = mean_b(-l_b[c_b]), l [B,C] log-probabilities, c int64 [B]",
			"d/dl = -onehot(c) / B", "symgrad pick/scatter ops (each the other's gradient).", NLL, true},
	} {
		s := s
		spec := &Spec{
			Name: s.name, Family: "loss", Forward: s.fwd, Gradient: s.grad, Notes: s.notes,
			Build:    func(n []*G.Node, p []float64) (*G.Node, error) { return s.f(n[0], n[1]) },
			MinNodes: 2, MaxNodes: 2,
			Example: Example{Inputs: []Input{{Name: "x", Shape: []int{4, 5}, Domain: Domain{Min: -3, Max: 3}},
				{Name: "c", Shape: []int{4}, Classes: 5}}},
			Dtypes: floats, TwiceDifferentiable: s.twice,
		}
		if s.name == "crossentropy" { // crossentropy(x, c, w, ε, ignore, red): see crossentropyopt
			spec.Build, spec.MaxNodes, spec.MaxParams = buildCrossEntropy, 3, 3
		}
		Register(spec)
	}
}

// checkClasses checks x [B, C] float and classes [B] int64.
func checkClasses(what string, x, classes *G.Node) error {
	if err := checkFloatNode(what, x); err != nil {
		return err
	}
	if x.Dims() != 2 {
		return errors.Errorf("%s: %s must be [B, C], got shape %v", what, x.Name(), x.Shape())
	}
	if classes == nil || classes.Dtype() != tensor.Int64 || classes.Dims() != 1 || classes.Shape()[0] != x.Shape()[0] {
		return errors.Errorf("%s: classes must be int64 [%d], got %v %v", what, x.Shape()[0], classes.Dtype(), classes.Shape())
	}
	return nil
}

// int64sOf returns the class indices of a value, checked against [0, c).
func int64sOf(v G.Value, c int) ([]int64, error) {
	d, ok := v.(*tensor.Dense)
	if !ok || d.Dtype() != tensor.Int64 {
		return nil, errors.Errorf("class indices must be an int64 tensor, got %T", v)
	}
	cs := d.Int64s()
	for i, k := range cs {
		if k < 0 || int(k) >= c {
			return nil, errors.Errorf("class index %d at %d is out of range [0, %d)", k, i, c)
		}
	}
	return cs, nil
}

// classOpBase holds the methods shared by the ops over [B, C] and classes.
type classOpBase struct {
	opBase
}

func (classOpBase) Arity() int              { return 2 }
func (classOpBase) DiffWRT(int) []bool      { return []bool{true, false} }
func (classOpBase) vecOfInt() hm.Type       { return G.TensorType{Dims: 1, Of: tensor.Int64} }
func (classOpBase) matOf(a hm.Type) hm.Type { return G.TensorType{Dims: 2, Of: a} }

// classOp is implemented by the ops whose input 1 is int64 class indices
// [B] into C classes: crossentropy, nll's pick, and their gradients.
type classOp interface{ classCount() int }

func (op *ceOp) classCount() int      { return op.shape[1] }
func (op *ceGradOp) classCount() int  { return op.shape[1] }
func (op *pickOp) classCount() int    { return op.shape[1] }
func (op *scatterOp) classCount() int { return op.shape[1] }

// ClassInput reports whether n is an op that takes class indices
// (CrossEntropy, NLL's pick and their gradients, input 1, int64 [B]) and
// returns that input and the number of classes C: every index must lie in
// [0, C).
func ClassInput(n *G.Node) (classes *G.Node, count int, ok bool) {
	if n == nil {
		return nil, 0, false
	}
	op, isClass := OpOf(n).(classOp)
	in := Inputs(n)
	if !isClass || len(in) != 2 {
		return nil, 0, false
	}
	return in[1], op.classCount(), true
}

// classInputs reads a class op's inputs: the float values (as float64) and
// the int64 class indices, checked against shape [B, C].
func classInputs(op fmt.Stringer, shape tensor.Shape, vs []G.Value) ([]float64, []int64, error) {
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, nil, errors.Wrapf(err, "%v", op)
	}
	cs, err := int64sOf(vs[1], shape[1])
	if err != nil {
		return nil, nil, errors.Wrapf(err, "%v", op)
	}
	return x, cs, nil
}

// ceOp is the fused cross-entropy of logits [B, C] and classes [B].
type ceOp struct {
	classOpBase
	red   Reduction
	shape tensor.Shape
}

func (op *ceOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(op.matOf(a), op.vecOfInt(), a)
}
func (op *ceOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }
func (op *ceOp) Do(vs ...G.Value) (G.Value, error) {
	x, cs, err := classInputs(op, op.shape, vs)
	if err != nil {
		return nil, err
	}
	b, c := op.shape[0], op.shape[1]
	total := 0.0
	for i := 0; i < b; i++ {
		row := x[i*c : (i+1)*c]
		total += rowLSE(row) - row[cs[i]]
	}
	if op.red == Mean {
		total /= float64(b)
	}
	return valueOf([]float64{total}, nil, dtypeOf(vs[0]))
}
func (op *ceOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *ceOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindCrossEntropy is the kind of the fused CrossEntropy; input 1 is class indices.
	KindCrossEntropy = NewKind("crossentropy")
	// KindCrossEntropyGrad is the kind of CrossEntropy's gradient op; input 1 is class indices.
	KindCrossEntropyGrad = NewKind("crossentropygrad")
)

// Identity is KindCrossEntropy.
func (op *ceOp) Identity() Identity { return Identity{Kind: KindCrossEntropy} }

func (op *ceOp) String() string { return fmt.Sprintf("crossentropy(%v, %v)", op.shape, op.red) }

// SymDiff is d/dx = g · ceGrad(x, c), ceGrad = (softmax(x) - onehot(c)) / B.
func (op *ceOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	d, err := Apply(&ceGradOp{red: op.red, shape: op.shape}, in[0], in[1])
	if err != nil {
		return nil, err
	}
	gx, err := G.Mul(d, g)
	return G.Nodes{gx, nil}, err
}

// rowLSE is the stable log Σ e^row.
func rowLSE(row []float64) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range row {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// ceGradOp is (softmax(x) - onehot(c)) / B (no /B for Sum).
type ceGradOp struct {
	classOpBase
	red   Reduction
	shape tensor.Shape
}

func (op *ceGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(op.matOf(a), op.vecOfInt(), op.matOf(a))
}
func (op *ceGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op *ceGradOp) Do(vs ...G.Value) (G.Value, error) {
	x, cs, err := classInputs(op, op.shape, vs)
	if err != nil {
		return nil, err
	}
	b, c := op.shape[0], op.shape[1]
	scale := 1.0
	if op.red == Mean {
		scale = 1 / float64(b)
	}
	res := make([]float64, b*c)
	for i := 0; i < b; i++ {
		row := x[i*c : (i+1)*c]
		lse := rowLSE(row)
		for j, v := range row {
			res[i*c+j] = math.Exp(v-lse) * scale
		}
		res[i*c+int(cs[i])] -= scale
	}
	return valueOf(res, op.shape, dtypeOf(vs[0]))
}
func (op *ceGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *ceGradOp) Hashcode() uint32      { return hashOf(op) }

// Identity is KindCrossEntropyGrad.
func (op *ceGradOp) Identity() Identity { return Identity{Kind: KindCrossEntropyGrad} }

func (op *ceGradOp) String() string { return fmt.Sprintf("crossentropygrad(%v, %v)", op.shape, op.red) }

// SymDiff is not available: the cross-entropy gradient is not
// differentiated again.
func (op *ceGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.New("crossentropy: second derivatives are not supported (build it from logsoftmax and nll instead)")
}
