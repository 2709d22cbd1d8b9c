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

// gatesOp is LSTMGates (grad false: a -> [i f g o]) or its gradient (grad
// true: ([i f g o], G) -> da); with allTanh, every block is tanh (the
// tanh(c') of LSTMCellH, of any shape).
type gatesOp struct {
	opBase
	grad, allTanh bool
}

var (
	_ G.SDOp            = (*gatesOp)(nil)
	_ G.UsePreallocDoer = (*gatesOp)(nil)
)

func (op *gatesOp) Arity() int {
	if op.grad {
		return 2
	}
	return 1
}
func (op *gatesOp) Type() hm.Type {
	m := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	if op.grad {
		return hm.NewFnType(m, m, m)
	}
	return hm.NewFnType(m, m)
}
func (op *gatesOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != op.Arity() {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, op.Arity(), len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || (!op.allTanh && (len(s) != 2 || s[1]%4 != 0)) {
		return nil, errors.Errorf("%v: input %v, want [B, 4H]", op, in[0])
	}
	return s.Clone(), nil
}
func (op *gatesOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != op.Arity() {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, op.Arity(), len(vs))
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(vs[0].Shape().Clone()...)), vs...)
}
func (op *gatesOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != op.Arity() {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, op.Arity(), len(vs))
	}
	x, y, _, err := matrices("lstmgates", vs[0], prealloc)
	if err != nil {
		return nil, err
	}
	s := x.Shape()
	if (!op.allTanh && (len(s) != 2 || s[1]%4 != 0)) || y.DataSize() != x.DataSize() {
		return nil, errors.Errorf("%v: input %v and output %v, want [B, 4H] both", op, s, y.Shape())
	}
	var g *tensor.Dense
	if op.grad {
		if _, g, _, err = matrices("lstmgates'", vs[0], vs[1]); err != nil || g.DataSize() != x.DataSize() {
			return nil, errors.Errorf("%v: gradient does not fit %v (%v)", op, s, err)
		}
	}
	h := x.DataSize() // allTanh: one block, all tanh
	if !op.allTanh {
		h = s[1] / 4
	}
	if x.Dtype() == tensor.Float64 {
		kernels.LSTMGates(h, op.allTanh, x.Float64s(), floatsOrNil[float64](g), y.Float64s())
	} else {
		kernels.LSTMGates(h, op.allTanh, x.Float32s(), floatsOrNil[float32](g), y.Float32s())
	}
	return prealloc, nil
}

func (op *gatesOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *gatesOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindLSTMGates is the kind of LSTMGates and its gradient.
	KindLSTMGates = NewKind("lstmgates")
)

// Identity is KindLSTMGates.
func (op *gatesOp) Identity() Identity { return Identity{Kind: KindLSTMGates} }

func (op *gatesOp) DiffWRT(n int) []bool { return []bool{true, true}[:n] }
func (op *gatesOp) String() string {
	name := "lstmgates"
	if op.allTanh {
		name = "tanh_out"
	}
	if op.grad {
		return name + "'"
	}
	return name
}

// SymDiff is da = lstmgates'(y, G), y the output.
func (op *gatesOp) SymDiff(_ G.Nodes, out, g *G.Node) (G.Nodes, error) {
	if op.grad {
		return nil, errors.New("lstmgates: second derivatives are not supported")
	}
	d, err := Apply(&gatesOp{grad: true, allTanh: op.allTanh}, out, g)
	return G.Nodes{d}, errors.Wrap(err, "gradient of lstmgates")
}

// GRUCell is one step of PyTorch's GRU from the two projections
// gi = x W_ihᵀ + b_ih and gh = h W_hhᵀ + b_hh ([B, 3H], gate blocks r, z,
// n) and the state h [B, H]:
//
//	r = σ(gi_r + gh_r)   z = σ(gi_z + gh_z)   n = tanh(gi_n + r ⊙ gh_n)
//	h' = (1 - z) ⊙ n + z ⊙ h
//
// in one pass (no gate slices, no [B, 3H] scatters in the gradient).
//
// Gradient, with G = dL/dh', dn = G(1-z), a_n = dn(1-n²), a_z = G(h-n)z(1-z),
// a_r = a_n ⊙ gh_n ⊙ r(1-r): dgi = [a_r, a_z, a_n], dgh = [a_r, a_z, a_n ⊙ r],
// dh = G ⊙ z. Three ops, not differentiable again: dgi recomputes the
// gates, dgh is dgi with its n block scaled by r (one sigmoid), dh
// recomputes z alone (one sigmoid).
func GRUCell(gi, gh, h *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "grucell")
	for _, n := range []*G.Node{gi, gh, h} {
		if err := checkFloatNode("grucell", n); err != nil {
			return nil, err
		}
	}
	gs, hs := gi.Shape(), h.Shape()
	if gs.Dims() != 2 || hs.Dims() != 2 || !equalDims(gh.Shape(), gs) || gs[0] != hs[0] || gs[1] != 3*hs[1] ||
		gh.Dtype() != gi.Dtype() || h.Dtype() != gi.Dtype() {
		return nil, errors.Errorf("grucell: want gi, gh [B, 3H] and h [B, H] of one dtype, got %v %v, %v %v, %v %v",
			gi.Dtype(), gs, gh.Dtype(), gh.Shape(), h.Dtype(), hs)
	}
	out, err = Apply(&gruOp{kind: gruForward, b: hs[0], hid: hs[1]}, gi, gh, h)
	return out, errors.Wrapf(err, "grucell of %s %v", gi.Name(), gs)
}

// gruKind says which map a gruOp is: the cell (inputs gi, gh, h), or its
// gradient with respect to gi (gi, gh, h, G), gh (gi, gh, dgi) or h (gi,
// gh, h, G).
type gruKind int

const (
	gruForward gruKind = iota
	gruGradGI
	gruGradGH
	gruGradH
)

type gruOp struct {
	opBase
	kind   gruKind
	b, hid int
}

var (
	_ G.SDOp            = (*gruOp)(nil)
	_ G.UsePreallocDoer = (*gruOp)(nil)
)

func (op *gruOp) Arity() int {
	if op.kind == gruForward || op.kind == gruGradGH {
		return 3
	}
	return 4
}
func (op *gruOp) Type() hm.Type {
	m := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	if op.Arity() == 3 {
		return hm.NewFnType(m, m, m, m)
	}
	return hm.NewFnType(m, m, m, m, m)
}
func (op *gruOp) outShape() tensor.Shape {
	if op.kind == gruGradGI || op.kind == gruGradGH {
		return tensor.Shape{op.b, 3 * op.hid}
	}
	return tensor.Shape{op.b, op.hid}
}
func (op *gruOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.outShape(), nil }
func (op *gruOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != op.Arity() {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, op.Arity(), len(vs))
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(op.outShape()...)), vs...)
}

// UsePreallocDo writes the op's result into prealloc.
func (op *gruOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != op.Arity() {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, op.Arity(), len(vs))
	}
	// Fixed-size arrays, not slices: a step of the GRU calls this op 4T
	// times, and nothing here may reach the heap.
	var ds [5]*tensor.Dense
	for i := 0; i <= len(vs); i++ {
		v, rows, cols := prealloc, op.b, op.hid
		if i < len(vs) {
			v = vs[i]
		}
		if i < 2 || (i == 2 && op.kind == gruGradGH) || (i == len(vs) && (op.kind == gruGradGI || op.kind == gruGradGH)) {
			cols = 3 * op.hid
		}
		d, err := denseOfDims(v, vs[0].Dtype())
		if err != nil || d.Dims() != 2 || d.Shape()[0] != rows || d.Shape()[1] != cols {
			return nil, errors.Errorf("%v: value %d is %v, want (%d, %d) of one float dtype (%v)", op, i, v.Shape(), rows, cols, err)
		}
		ds[i] = d
	}
	ds[4] = ds[len(vs)]
	switch vs[0].Dtype() {
	case tensor.Float64:
		gruKernel(op, &ds, func(d *tensor.Dense) []float64 { return d.Float64s() })
	case tensor.Float32:
		gruKernel(op, &ds, func(d *tensor.Dense) []float32 { return d.Float32s() })
	default:
		return nil, errors.Errorf("%v: dtype %v, want float64 or float32", op, vs[0].Dtype())
	}
	return prealloc, nil
}

// gruKernel writes the op's output (ds: the inputs, then out at ds[4]),
// computing in float64. Each map evaluates only the gates it needs, the
// sigmoids of a row at a time (kernels.SigmoidInto) and the tanh's
// pre-activations before its loop, in chunks of gruChunk columns.
func gruKernel[T float32 | float64](op *gruOp, ds *[5]*tensor.Dense, data func(*tensor.Dense) []T) {
	gi, gh, third, out := data(ds[0]), data(ds[1]), data(ds[2]), data(ds[4])
	var g []T
	if op.kind == gruGradGI || op.kind == gruGradH {
		g = data(ds[3])
	}
	hid := op.hid
	var pre [3 * gruChunk]float64 // r, z and n: pre-activations, then gates
	for b := 0; b < op.b; b++ {
		gib, ghb := gi[b*3*hid:(b+1)*3*hid], gh[b*3*hid:(b+1)*3*hid]
		for j0 := 0; j0 < hid; j0 += gruChunk {
			w := min(gruChunk, hid-j0)
			r, z := pre[:w], pre[w:2*w]
			for i := range w {
				r[i] = float64(gib[j0+i]) + float64(ghb[j0+i])
				z[i] = float64(gib[hid+j0+i]) + float64(ghb[hid+j0+i])
			}
			switch op.kind {
			case gruGradH: // dh = G ⊙ z
				kernels.SigmoidInto(z, z)
				for i := range w {
					k := b*hid + j0 + i
					out[k] = T(float64(g[k]) * z[i])
				}
				continue
			case gruGradGH: // dgh = [a_r, a_z, a_n ⊙ r], from dgi = [a_r, a_z, a_n]
				kernels.SigmoidInto(r, r)
				d, o := third[b*3*hid:(b+1)*3*hid], out[b*3*hid:(b+1)*3*hid]
				for i := range w {
					j := j0 + i
					o[j], o[hid+j], o[2*hid+j] = d[j], d[hid+j], T(float64(d[2*hid+j])*r[i])
				}
				continue
			}
			kernels.SigmoidInto(pre[:2*w], pre[:2*w])
			ns := pre[2*w : 3*w]
			for i := range w {
				ns[i] = float64(gib[2*hid+j0+i]) + r[i]*float64(ghb[2*hid+j0+i])
			}
			for i := range w {
				j, k := j0+i, b*hid+j0+i
				hn, n := float64(ghb[2*hid+j]), math.Tanh(ns[i])
				hv := float64(third[k])
				if op.kind == gruForward {
					out[k] = T(n + z[i]*(hv-n))
					continue
				}
				gv := float64(g[k])
				an := gv * (1 - z[i]) * (1 - n*n)
				az := gv * (hv - n) * z[i] * (1 - z[i])
				ar := an * hn * r[i] * (1 - r[i])
				o := out[b*3*hid : (b+1)*3*hid]
				o[j], o[hid+j], o[2*hid+j] = T(ar), T(az), T(an)
			}
		}
	}
}

// gruChunk is how many columns of a row gruKernel activates at a time.
const gruChunk = 128

func (op *gruOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *gruOp) Hashcode() uint32      { return hashOf(op) }
func (op *gruOp) String() string {
	return fmt.Sprintf("%s[%d,%d]", [...]string{"grucell", "grucell'gi", "grucell'gh", "grucell'h"}[op.kind], op.b, op.hid)
}
func (op *gruOp) DiffWRT(n int) []bool { return allTrue(n) }

// SymDiff returns the three gradient ops: dgi of (gi, gh, h, G), dgh of
// (gi, gh, dgi), dh of (gi, gh, h, G).
func (op *gruOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	if op.kind != gruForward {
		return nil, errors.New("grucell: second derivatives are not supported")
	}
	dgi, err := Apply(&gruOp{kind: gruGradGI, b: op.b, hid: op.hid}, in[0], in[1], in[2], g)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %v", op)
	}
	dgh, err := Apply(&gruOp{kind: gruGradGH, b: op.b, hid: op.hid}, in[0], in[1], dgi)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %v", op)
	}
	dh, err := Apply(&gruOp{kind: gruGradH, b: op.b, hid: op.hid}, in[0], in[1], in[2], g)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %v", op)
	}
	return G.Nodes{dgi, dgh, dh}, nil
}

func init() {
	proj := Domain{Min: -2, Max: 2}
	Register(&Spec{Name: "grucell", Family: "fused",
		Forward:  "grucell(gi, gh, h) = (1-z) ⊙ n + z ⊙ h, r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r ⊙ gh_n); gi, gh [B,3H] (blocks r, z, n), h [B,H]",
		Gradient: "dn = G(1-z), a_n = dn(1-n²), a_z = G(h-n)z(1-z), a_r = a_n⊙gh_n⊙r(1-r): dgi = [a_r a_z a_n], dgh = [a_r a_z a_n⊙r], dh = G⊙z",
		Notes:    "symgrad op: PyTorch's GRU step (b_hh inside r ⊙ (W_hn h + b_hn)) in one pass over the two projections, no gate slices; its gradient ops recompute only the gates each needs (dgh is dgi with its n block scaled by r; second derivatives not supported).",
		Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return GRUCell(n[0], n[1], n[2]) },
		MinNodes: 3, MaxNodes: 3,
		Example: Example{Inputs: []Input{{Name: "gi", Shape: []int{3, 6}, Domain: proj}, {Name: "gh", Shape: []int{3, 6}, Domain: proj},
			{Name: "h", Shape: []int{3, 2}, Domain: Real}}},
		Dtypes: floats})
}

// KindGRUCell is the kind of the fused GRU cell and its gradients.
var KindGRUCell = NewKind("grucell")

// Identity is KindGRUCell.
func (op *gruOp) Identity() Identity { return Identity{Kind: KindGRUCell} }

// TimeStep is x[:, t, :] of a batch-first sequence x [B, T, F], a [B, F]
// matrix copied row by row into a preallocated buffer (no time-major
// transpose of the whole sequence, no slice views to materialize).
//
// Gradient: dx = G placed at time step t of a zero [B, T, F] tensor
// (UnTimeStep, whose gradient is TimeStep again).
func TimeStep(x *G.Node, t int) (out *G.Node, err error) {
	defer panics.Recover(&err, "timestep")
	if err := checkFloatNode("timestep", x); err != nil {
		return nil, err
	}
	s := x.Shape()
	if len(s) != 3 || t < 0 || t >= s[1] {
		return nil, errors.Errorf("timestep: %s has shape %v, want [B, T, F] with 0 <= t=%d < T", x.Name(), s, t)
	}
	out, err = Apply(&timeStepOp{t: t, steps: s[1]}, x)
	return out, errors.Wrapf(err, "timestep %d of %s %v", t, x.Name(), s)
}

// timeStepOp is TimeStep ([B, T, F] -> [B, F]) or, when scatter, its
// adjoint UnTimeStep ([B, F] -> [B, T, F], zero except at step t).
type timeStepOp struct {
	unaryBase
	t, steps int
	scatter  bool
}

var (
	_ G.SDOp            = (*timeStepOp)(nil)
	_ G.UsePreallocDoer = (*timeStepOp)(nil)
)

func (op *timeStepOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return fnType(op.scatter, G.TensorType{Dims: 3, Of: a}, G.TensorType{Dims: 2, Of: a})
}
func (op *timeStepOp) outShape(s tensor.Shape) (tensor.Shape, error) {
	switch {
	case !op.scatter && len(s) == 3 && s[1] == op.steps:
		return tensor.Shape{s[0], s[2]}, nil
	case op.scatter && len(s) == 2:
		return tensor.Shape{s[0], op.steps, s[1]}, nil
	}
	return nil, errors.Errorf("%v: input shape %v does not fit", op, s)
}
func (op *timeStepOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return inferUnary(op, in)
}
func (op *timeStepOp) Do(vs ...G.Value) (G.Value, error) { return doUnary(op, vs) }
func (op *timeStepOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	x, y, _, err := preallocOperands(op, "timestep", 1, vs, prealloc)
	if err != nil {
		return nil, err
	}
	seq, mat := x, y
	if op.scatter {
		seq, mat = y, x
	}
	ss, ms := seq.Shape(), mat.Shape()
	if len(ss) != 3 || len(ms) != 2 || ss[0] != ms[0] || ss[2] != ms[1] || ss[1] != op.steps {
		return nil, errors.Errorf("%v: shapes %v and %v do not fit", op, x.Shape(), y.Shape())
	}
	if x.Dtype() == tensor.Float64 {
		timeStepKernel(op, ss[2], seq.Float64s(), mat.Float64s())
	} else {
		timeStepKernel(op, ss[2], seq.Float32s(), mat.Float32s())
	}
	return prealloc, nil
}

// timeStepKernel copies step t of seq [B, T, F] into mat [B, F], or (scatter)
// mat into step t of a zeroed seq.
func timeStepKernel[T float32 | float64](op *timeStepOp, f int, seq, mat []T) {
	if op.scatter {
		clear(seq)
	}
	for b := 0; b*f < len(mat); b++ {
		at := (b*op.steps + op.t) * f
		if op.scatter {
			copy(seq[at:at+f], mat[b*f:(b+1)*f])
		} else {
			copy(mat[b*f:(b+1)*f], seq[at:at+f])
		}
	}
}

func (op *timeStepOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *timeStepOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindTimeStep is the kind of TimeStep.
	KindTimeStep = NewKind("timestep")
	// KindUnTimeStep is the kind of TimeStep's adjoint (its gradient).
	KindUnTimeStep = NewKind("untimestep")
)

// Identity is KindUnTimeStep or KindTimeStep.
func (op *timeStepOp) Identity() Identity {
	return Identity{Kind: choose(op.scatter, KindUnTimeStep, KindTimeStep)}
}

func (op *timeStepOp) String() string {
	return fmt.Sprintf("%s(t=%d of %d)", choose(op.scatter, "untimestep", "timestep"), op.t, op.steps)
}

// SymDiff is the adjoint op applied to G.
func (op *timeStepOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	return applyAdjoint(op, &timeStepOp{t: op.t, steps: op.steps, scatter: !op.scatter}, g)
}

func init() {
	Register(&Spec{Name: "timestep", Family: "fused",
		Reference: refTimeStep, ReferenceOf: "Gorgonia's Slice of step t on axis 1", Forward: "timestep(x, t) = x[:, t, :] (x [B,T,F] -> [B,F])",
		Gradient: "dx = G at step t of a zero [B,T,F] tensor (untimestep, whose gradient is timestep)",
		Notes:    "symgrad op: an RNN's per-step input read from the batch-first sequence, copied into a preallocated buffer (no transposed copy, no slice views).",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			t := 1
			if len(p) > 0 {
				t = int(p[0])
			}
			return TimeStep(n[0], t)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 1,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 3, 4}, Domain: Real}}, Params: []float64{1}},
		Dtypes:  floats, TwiceDifferentiable: true})
}

// refTimeStep is timestep as Gorgonia's Slice of step t on axis 1.
func refTimeStep(n []*G.Node, p []float64) (*G.Node, error) {
	t := 1
	if len(p) > 0 {
		t = int(p[0])
	}
	return G.Slice(n[0], nil, G.S(t))
}
