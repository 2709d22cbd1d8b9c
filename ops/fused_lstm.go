package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops/kernels"
)

// The LSTM cell as three fused ops over the gate pre-activations
// a = [a_i a_f a_g a_o] ([B, 4H], PyTorch's gate order):
//
//	LSTMGates(a) = [i f g o] = [σ(a_i) σ(a_f) tanh(a_g) σ(a_o)]
//	LSTMCellC([i f g o], c) = c' = f ⊙ c + i ⊙ g
//	LSTMCellH([i f g o], c') = h' = o ⊙ tanh(c')
//
// They replace four slices of a, four activations and the products (and,
// in the gradient, four scatters of a [B, 4H] zero tensor per step) with
// three passes over the rows, and each activation is computed once. Their
// equivalent in primitives is the models.LSTM cell before fusion (slices,
// ops.Sigmoid, ops.Tanh, ⊙, +); the registry check compares their
// gradients with central differences.

// LSTMGates is [σ(a_i) σ(a_f) tanh(a_g) σ(a_o)] for gate pre-activations
// a [B, 4H].
//
// Gradient, from the output y: da = G ⊙ y(1-y) on the sigmoid blocks,
// G ⊙ (1-y²) on the tanh block.
func LSTMGates(a *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "lstmgates")
	if err := checkFloatNode("lstmgates", a); err != nil {
		return nil, err
	}
	if a.Dims() != 2 || a.Shape()[1]%4 != 0 {
		return nil, errors.Errorf("lstmgates: %s has shape %v, want [B, 4H]", a.Name(), a.Shape())
	}
	out, err = Apply(&gatesOp{}, a)
	return out, errors.Wrapf(err, "lstmgates of %s %v", a.Name(), a.Shape())
}

// LSTMCellC is c' = f ⊙ c + i ⊙ g for gate activations [i f g o] [B, 4H]
// (LSTMGates) and cell state c [B, H].
//
// Gradient, with G = dL/dc': d[i f g o] = [G⊙g, G⊙c, G⊙i, 0]; dc = G ⊙ f.
func LSTMCellC(act, c *G.Node) (*G.Node, error) { return applyCell(cellC, act, c) }

// LSTMCellH is h' = o ⊙ tanh(c') for gate activations [i f g o] [B, 4H]
// (LSTMGates) and the new cell state c' [B, H].
//
// Gradient, with G = dL/dh': d[i f g o] = [0, 0, 0, G ⊙ tanh(c')];
// dc' = G ⊙ o ⊙ (1 - tanh²(c')).
//
// It is two nodes, t = tanh(c') (whose gradient G ⊙ (1 - t²) reads t) and
// o ⊙ t, so tanh is evaluated once per element, never in the gradient.
func LSTMCellH(act, c *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "lstmcellh")
	if err := checkFloatNode("lstmcellh", c); err != nil {
		return nil, err
	}
	t, err := Apply(&gatesOp{allTanh: true}, c)
	if err != nil {
		return nil, errors.Wrapf(err, "lstmcellh: tanh of %s %v", c.Name(), c.Shape())
	}
	return applyCell(cellH, act, t)
}

// cellKind says which of the cell's functions a cellOp computes.
type cellKind = kernels.CellMap

const (
	cellC      = kernels.CellC      // (a, c) -> c'
	cellH      = kernels.CellH      // (a, t) -> h' = o ⊙ t, t = tanh(c')
	cellCGradA = kernels.CellCGradA // (a, c, G) -> da of c'
	cellCGradC = kernels.CellCGradC // (a, c, G) -> dc of c'
	cellHGradA = kernels.CellHGradA // (a, t, G) -> da of h'
	cellHGradC = kernels.CellHGradC // (a, t, G) -> dt of h'
)

var cellNames = [...]string{"lstmcellc", "lstmcellh", "lstmcellc'a", "lstmcellc'c", "lstmcellh'a", "lstmcellh'c"}

func applyCell(k cellKind, in ...*G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "%s", cellNames[k])
	for _, n := range in {
		if err := checkFloatNode(cellNames[k], n); err != nil {
			return nil, err
		}
		if n.Dtype() != in[0].Dtype() {
			return nil, errors.Errorf("%s: dtypes differ: %v and %v", cellNames[k], in[0].Dtype(), n.Dtype())
		}
	}
	shapes := make([]G.DimSizer, len(in))
	for i, n := range in {
		shapes[i] = n.Shape()
	}
	op := &cellOp{kind: k}
	if _, err := op.InferShape(shapes...); err != nil {
		return nil, err
	}
	out, err = Apply(op, in...)
	return out, errors.Wrapf(err, "%s of %s %v", cellNames[k], in[0].Name(), in[0].Shape())
}

// cellOp is one of the cell's functions.
type cellOp struct {
	opBase
	kind cellKind
}

var (
	_ G.SDOp            = (*cellOp)(nil)
	_ G.UsePreallocDoer = (*cellOp)(nil)
)

func (op *cellOp) Arity() int {
	if op.kind <= cellH {
		return 2
	}
	return 3
}
func (op *cellOp) Type() hm.Type {
	m := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	ts := make([]hm.Type, op.Arity()+1)
	for i := range ts {
		ts[i] = m
	}
	return hm.NewFnType(ts...)
}

// gatesOut reports whether the output is [B, 4H] (a gradient of a).
func (op *cellOp) gatesOut() bool { return op.kind == cellCGradA || op.kind == cellHGradA }

// check validates a [B, 4H] and the other inputs [B, H]; it returns B, H.
func (op *cellOp) check(shapes ...tensor.Shape) (b, h int, err error) {
	if len(shapes) < 2 || len(shapes) > op.Arity() {
		return 0, 0, errors.Errorf("%s: expected %d inputs, got %d", cellNames[op.kind], op.Arity(), len(shapes))
	}
	a := shapes[0]
	if len(a) != 2 || a[1]%4 != 0 {
		return 0, 0, errors.Errorf("%s: gates have shape %v, want [B, 4H]", cellNames[op.kind], a)
	}
	b, h = a[0], a[1]/4
	for _, s := range shapes[1:] {
		if len(s) != 2 || s[0] != b || s[1] != h {
			return 0, 0, errors.Errorf("%s: state has shape %v, want [%d, %d] for gates %v", cellNames[op.kind], s, b, h, a)
		}
	}
	return b, h, nil
}

func (op *cellOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != op.Arity() {
		return nil, errors.Errorf("%s: expected %d inputs, got %d", cellNames[op.kind], op.Arity(), len(in))
	}
	shapes := make([]tensor.Shape, len(in))
	for i, d := range in {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, errors.Errorf("%s: expected shapes, got %T", cellNames[op.kind], d)
		}
		shapes[i] = s
	}
	b, h, err := op.check(shapes...)
	if op.gatesOut() {
		h *= 4
	}
	return tensor.Shape{b, h}, err
}

func (op *cellOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) == 0 {
		return nil, errors.Errorf("%s: no inputs", cellNames[op.kind])
	}
	s := vs[0].Shape()
	cols := s[len(s)-1]
	if !op.gatesOut() {
		cols /= 4
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(s[0], cols)), vs...)
}

func (op *cellOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	name, n := cellNames[op.kind], op.Arity()
	if len(vs) != n {
		return nil, errors.Errorf("%s: expected %d inputs, got %d", name, n, len(vs))
	}
	var ds [4]*tensor.Dense // the inputs, then the output
	for i := 0; i <= n; i++ {
		v := prealloc
		if i < n {
			v = vs[i]
		}
		t, ok := v.(tensor.Tensor)
		if !ok {
			return nil, errors.Errorf("%s: expected tensors, got %T", name, v)
		}
		d, err := contiguous(t)
		if err != nil {
			return nil, errors.Wrap(err, name)
		}
		if dt := d.Dtype(); (dt != tensor.Float64 && dt != tensor.Float32) || (i > 0 && dt != ds[0].Dtype()) {
			return nil, errors.Errorf("%s: dtypes %v and %v, want one float dtype", name, ds[0].Dtype(), dt)
		}
		ds[i] = d
	}
	b, h, err := op.check(ds[0].Shape(), ds[1].Shape())
	if err != nil {
		return nil, err
	}
	if want := b * h * (1 + 3*btoi(op.gatesOut())); ds[n].DataSize() != want || (n == 3 && ds[2].DataSize() != b*h) {
		return nil, errors.Errorf("%s: output or gradient does not fit gates %v", name, ds[0].Shape())
	}
	if ds[0].Dtype() == tensor.Float64 {
		kernels.LSTMCell(op.kind, h, ds[0].Float64s(), ds[1].Float64s(), floatsOrNil[float64](cellGrad(ds, n)), ds[n].Float64s())
	} else {
		kernels.LSTMCell(op.kind, h, ds[0].Float32s(), ds[1].Float32s(), floatsOrNil[float32](cellGrad(ds, n)), ds[n].Float32s())
	}
	return prealloc, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cellGrad is the upstream gradient among a cell op's values: input 2 of
// the three-input gradient ops, nil for the forward ops.
func cellGrad(ds [4]*tensor.Dense, n int) *tensor.Dense {
	if n < 3 {
		return nil
	}
	return ds[2]
}

func (op *cellOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%s", cellNames[op.kind]) }
func (op *cellOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindLSTMCell is the kind of the LSTM cell maps; Identity.Name is the map ("lstmcellc", "lstmcellh'a", ...).
	KindLSTMCell = NewKind("lstmcell")
)

// Identity is KindLSTMCell.
func (op *cellOp) Identity() Identity { return Identity{Kind: KindLSTMCell, Name: cellNames[op.kind]} }

func (op *cellOp) String() string       { return cellNames[op.kind] }
func (op *cellOp) DiffWRT(n int) []bool { return allTrue(n) }

// SymDiff differentiates the forward ops (see LSTMCellC, LSTMCellH); the
// gradient ops are not differentiated again.
func (op *cellOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	var ka, kc cellKind
	switch op.kind {
	case cellC:
		ka, kc = cellCGradA, cellCGradC
	case cellH:
		ka, kc = cellHGradA, cellHGradC
	default:
		return nil, errors.Errorf("%s: second derivatives of the LSTM cell are not supported", cellNames[op.kind])
	}
	da, err := applyCell(ka, in[0], in[1], g)
	if err != nil {
		return nil, err
	}
	dc, err := applyCell(kc, in[0], in[1], g)
	return G.Nodes{da, dc}, err
}

func init() {
	gates := Input{Name: "a", Shape: []int{3, 8}, Domain: Domain{Min: -3, Max: 3}}
	state := Input{Name: "c", Shape: []int{3, 2}, Domain: Real}
	Register(&Spec{Name: "lstmcellc", Family: "fused",
		Reference: refLSTMCellC, ReferenceOf: "f ⊙ c + i ⊙ g on Gorgonia's column slices", Forward: "lstmcellc(act, c) = f ⊙ c + i ⊙ g, act = [i f g o] [B,4H], c [B,H]",
		Gradient: "d[i f g o] = [G⊙g, G⊙c, G⊙i, 0]; dc = G⊙f",
		Notes:    "symgrad op: the LSTM cell state update in one pass over lstmgates' activations (no gate slices, no [B,4H] scatters in the gradient); PyTorch's gate order i, f, g, o.",
		Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return LSTMCellC(n[0], n[1]) },
		MinNodes: 2, MaxNodes: 2, Example: Example{Inputs: []Input{gates, state}}, Dtypes: floats})
	Register(&Spec{Name: "lstmcellh", Family: "fused",
		Reference: refLSTMCellH, ReferenceOf: "o ⊙ tanh(c') on a Gorgonia column slice", Forward: "lstmcellh(act, c') = o ⊙ tanh(c'), act = [i f g o] [B,4H], c' [B,H]",
		Gradient: "d[i f g o] = [0, 0, 0, G⊙tanh(c')]; dc' = G⊙o⊙(1-tanh²(c'))",
		Notes:    "symgrad op: the LSTM hidden state in one pass over lstmgates' activations; PyTorch's gate order i, f, g, o.",
		Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return LSTMCellH(n[0], n[1]) },
		MinNodes: 2, MaxNodes: 2, Example: Example{Inputs: []Input{gates, state}}, Dtypes: floats})
	Register(&Spec{Name: "lstmgates", Family: "fused",
		Reference: refLSTMGates, ReferenceOf: "Gorgonia's column slices, Sigmoid, Tanh and Concat", Forward: "lstmgates(a) = [σ(a_i) σ(a_f) tanh(a_g) σ(a_o)], a [B,4H]",
		Gradient: "da = G ⊙ y(1-y) on the σ blocks, G ⊙ (1-y²) on the tanh block (y the output)",
		Notes:    "symgrad op: the LSTM gate activations in one pass, each computed once; the gradient reads the output, not a.",
		Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return LSTMGates(n[0]) },
		MinNodes: 1, MaxNodes: 1, Example: Example{Inputs: []Input{gates}}, Dtypes: floats})
}

// gateBlocks slices act [B,4H] into its four [B,H] column blocks, PyTorch's
// gate order i, f, g, o.
func gateBlocks(act *G.Node) ([4]*G.Node, error) {
	var b [4]*G.Node
	if act.Dims() != 2 || act.Shape()[1]%4 != 0 {
		return b, errors.Errorf("gates %v: want [B, 4H]", act.Shape())
	}
	h := act.Shape()[1] / 4
	for k := range b {
		s, err := G.Slice(act, nil, G.S(k*h, (k+1)*h))
		if err != nil {
			return b, err
		}
		b[k] = s
	}
	return b, nil
}

// refLSTMGates is lstmgates as Gorgonia's slices, Sigmoid, Tanh and Concat.
func refLSTMGates(n []*G.Node, _ []float64) (*G.Node, error) {
	b, err := gateBlocks(n[0])
	if err != nil {
		return nil, err
	}
	var act [4]*G.Node
	for k, x := range b {
		f := G.Sigmoid
		if k == 2 {
			f = G.Tanh
		}
		if act[k], err = f(x); err != nil {
			return nil, err
		}
	}
	return G.Concat(1, act[:]...)
}

// refLSTMCellC is lstmcellc as f ⊙ c + i ⊙ g over Gorgonia's slices of
// the activations.
func refLSTMCellC(n []*G.Node, _ []float64) (*G.Node, error) {
	b, err := gateBlocks(n[0])
	if err != nil {
		return nil, err
	}
	fc, err := G.HadamardProd(b[1], n[1])
	if err != nil {
		return nil, err
	}
	ig, err := G.HadamardProd(b[0], b[2])
	if err != nil {
		return nil, err
	}
	return G.Add(fc, ig)
}

// refLSTMCellH is lstmcellh as o ⊙ tanh(c') over a Gorgonia slice of the
// activations.
func refLSTMCellH(n []*G.Node, _ []float64) (*G.Node, error) {
	b, err := gateBlocks(n[0])
	if err != nil {
		return nil, err
	}
	t, err := G.Tanh(n[1])
	if err != nil {
		return nil, err
	}
	return G.HadamardProd(b[3], t)
}
