package ops

import (
	"fmt"
	"hash"
	"slices"
	"sync"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
)

// FusedConv2D is Conv2D (PyTorch's Conv2d: cross-correlation, no dilation,
// one group) as one op:
// y[n, o, i, j] = b[o] + Σ_{c,u,v} w[o,c,u,v] · xpad[n, c, i·sH+u, j·sW+v].
// For each sample, x is unfolded into a reused buffer (im2col, col
// [C·kH·kW, oH·oW]) and y_n [O, oH·oW] = W [O, C·kH·kW] · col is one BLAS
// gemm written straight into the output's [N, O, oH, oW] layout, on rows
// prefilled with the bias (no reshape, transpose or broadcast node). b may
// be nil.
//
// Gradient, with G = dL/dy: dx = Conv2DInputGrad(G, w) (per sample
// col = Wᵀ·G_n, then col2im), dw = Conv2DFilterGrad(x, G)
// (Σ_n G_n·col_nᵀ), db = ChannelSum(G). The three conv ops are bilinear and
// close under differentiation, so FusedConv2D is differentiable any number
// of times. TestFusedConvMatchesConv2D compares it with Conv2D
// (Gorgonia's im2col convolution).
func FusedConv2D(x, w, b *G.Node, stride, padding [2]int) (out *G.Node, err error) {
	defer panics.Recover(&err, "fused conv2d of %s", x.Name())
	if err := checkConv(x, w, b, stride, padding); err != nil {
		return nil, err
	}
	op := &convOp{geom: newConvGeom(x.Shape(), w.Shape(), stride, padding), kind: convForward, bias: b != nil}
	in := []*G.Node{x, w}
	if b != nil {
		in = append(in, b)
	}
	out, err = Apply(op, in...)
	return out, errors.Wrapf(err, "fused conv2d of %s %v with %s %v", x.Name(), x.Shape(), w.Name(), w.Shape())
}

// Conv2DInputGrad is the gradient of a convolution with respect to its
// input x [N, C, inH, inW] (the transposed convolution): for each sample,
// col = Wᵀ·G_n [C·kH·kW, oH·oW], then col2im adds every column back to the
// input positions it was read from. g is dL/dy [N, O, oH, oW], w
// [O, C, kH, kW].
//
// Gradient: dg = FusedConv2D(H, w) without bias, dw = Conv2DFilterGrad(H, g).
func Conv2DInputGrad(g, w *G.Node, inH, inW int, stride, padding [2]int) (out *G.Node, err error) {
	defer panics.Recover(&err, "conv2d input gradient")
	gs, ws := g.Shape(), w.Shape()
	if gs.Dims() != 4 || ws.Dims() != 4 || gs[1] != ws[0] {
		return nil, errors.Errorf("conv2d input gradient: g %v and w %v must be [N, O, oH, oW] and [O, C, kH, kW]", gs, ws)
	}
	geom := newConvGeom(tensor.Shape{gs[0], ws[1], inH, inW}, ws, stride, padding)
	if geom.oh != gs[2] || geom.ow != gs[3] || stride[0] < 1 || stride[1] < 1 {
		return nil, errors.Errorf("conv2d input gradient: g %v does not fit input %dx%d, kernel %v, stride %v, padding %v", gs, inH, inW, ws, stride, padding)
	}
	return applyConv(&convOp{geom: geom, kind: convInput}, g, w)
}

// Conv2DFilterGrad is the gradient of a convolution with respect to its
// filter w [O, C, kH, kW]: dw = Σ_n G_n [O, oH·oW] · col_nᵀ, col_n the
// im2col of sample n of x [N, C, H, W]; g is dL/dy [N, O, oH, oW].
//
// Gradient: dx = Conv2DInputGrad(g, H), dg = FusedConv2D(x, H) without bias.
func Conv2DFilterGrad(x, g *G.Node, kernel, stride, padding [2]int) (out *G.Node, err error) {
	defer panics.Recover(&err, "conv2d filter gradient")
	xs, gs := x.Shape(), g.Shape()
	if xs.Dims() != 4 || gs.Dims() != 4 || gs[0] != xs[0] {
		return nil, errors.Errorf("conv2d filter gradient: x %v and g %v must be [N, C, H, W] and [N, O, oH, oW]", xs, gs)
	}
	ws := tensor.Shape{gs[1], xs[1], kernel[0], kernel[1]}
	if err := checkConvGeom(xs, ws, stride, padding); err != nil {
		return nil, err
	}
	geom := newConvGeom(xs, ws, stride, padding)
	if geom.oh != gs[2] || geom.ow != gs[3] {
		return nil, errors.Errorf("conv2d filter gradient: g %v does not fit x %v, kernel %v, stride %v, padding %v", gs, xs, kernel, stride, padding)
	}
	return applyConv(&convOp{geom: geom, kind: convFilter}, x, g)
}

// applyConv applies a two-input convolution op (convOp, conv1dOp) after
// checking that both inputs are float and of one dtype.
func applyConv(op G.Op, a, b *G.Node) (*G.Node, error) {
	for _, n := range []*G.Node{a, b} {
		if err := checkFloatNode(op.String(), n); err != nil {
			return nil, err
		}
	}
	if a.Dtype() != b.Dtype() {
		return nil, errors.Errorf("%v: dtypes differ: %v and %v", op, a.Dtype(), b.Dtype())
	}
	out, err := Apply(op, a, b)
	return out, errors.Wrapf(err, "%v of %s %v and %s %v", op, a.Name(), a.Shape(), b.Name(), b.Shape())
}

// checkConvGeom checks a convolution's shapes (x [N,C,H,W], w [O,C,kH,kW]).
func checkConvGeom(xs, ws tensor.Shape, stride, padding [2]int) error {
	if len(xs) != 4 || len(ws) != 4 || xs[1] != ws[1] {
		return errors.Errorf("conv2d: x %v and w %v must be [N, C, H, W] and [O, C, kH, kW]", xs, ws)
	}
	for i := 0; i < 2; i++ {
		if stride[i] < 1 || padding[i] < 0 || ws[2+i] < 1 || xs[2+i]+2*padding[i] < ws[2+i] {
			return errors.Errorf("conv2d: stride %v, padding %v do not fit x %v and kernel %v", stride, padding, xs, ws)
		}
	}
	return nil
}

// convGeom is a convolution's geometry: x [n,c,h,w], w [o,c,kh,kw],
// y [n,o,oh,ow].
type convGeom struct {
	n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow int
}

func newConvGeom(xs, ws tensor.Shape, stride, padding [2]int) convGeom {
	g := convGeom{n: xs[0], c: xs[1], h: xs[2], w: xs[3], o: ws[0], kh: ws[2], kw: ws[3],
		sh: stride[0], sw: stride[1], ph: padding[0], pw: padding[1]}
	g.oh = (g.h+2*g.ph-g.kh)/g.sh + 1
	g.ow = (g.w+2*g.pw-g.kw)/g.sw + 1
	return g
}

func (g convGeom) xShape() tensor.Shape { return tensor.Shape{g.n, g.c, g.h, g.w} }
func (g convGeom) wShape() tensor.Shape { return tensor.Shape{g.o, g.c, g.kh, g.kw} }
func (g convGeom) ckk() int             { return g.c * g.kh * g.kw }
func (g convGeom) p() int               { return g.oh * g.ow }

// convKind says which of the three bilinear conv maps a convOp is.
type convKind int

const (
	convForward convKind = iota // (x, w[, b]) -> y
	convInput                   // (g, w) -> dx
	convFilter                  // (x, g) -> dw
)

// convOp is one of the three conv maps. The im2col buffer is the op's,
// reused across runs (scratch, guarded by its mutex).
type convOp struct {
	opBase
	geom    convGeom
	kind    convKind
	bias    bool
	scratch convScratch
}

// convScratch holds an op's im2col buffers, grown once.
type convScratch struct {
	mu  sync.Mutex
	f64 []float64
	f32 []float32
}

var (
	_ G.SDOp            = (*convOp)(nil)
	_ G.UsePreallocDoer = (*convOp)(nil)
)

func (op *convOp) Arity() int {
	if op.bias {
		return 3
	}
	return 2
}
func (op *convOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := G.TensorType{Dims: 4, Of: a}
	if op.bias {
		return hm.NewFnType(t, t, G.TensorType{Dims: 1, Of: a}, t)
	}
	return hm.NewFnType(t, t, t)
}

// dims returns the shape of value i (the inputs, then the output) as an
// array and its rank, without allocating.
func (op *convOp) dims(i int) ([4]int, int) {
	g := op.geom
	x, w, y := [4]int{g.n, g.c, g.h, g.w}, [4]int{g.o, g.c, g.kh, g.kw}, [4]int{g.n, g.o, g.oh, g.ow}
	var order [4][4]int
	switch op.kind {
	case convInput:
		order = [4][4]int{y, w, x}
	case convFilter:
		order = [4][4]int{x, y, w}
	default:
		order = [4][4]int{x, w, y}
		if op.bias {
			if i == 2 {
				return [4]int{g.o}, 1
			}
			order[3] = y
		}
	}
	return order[i], 4
}

// numIn is the number of inputs.
func (op *convOp) numIn() int { return op.Arity() }

func (op *convOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	d, r := op.dims(op.numIn())
	return tensor.Shape(d[:r]).Clone(), nil
}

func (op *convOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) == 0 {
		return nil, errors.Errorf("%v: no inputs", op)
	}
	d, r := op.dims(op.numIn())
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(d[:r]...)), vs...)
}

// UsePreallocDo writes the op's result into prealloc, a contiguous tensor
// of the output shape and the inputs' dtype.
func (op *convOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	nIn := op.numIn()
	if len(vs) != nIn {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, nIn, len(vs))
	}
	var ds [4]*tensor.Dense
	for i := 0; i <= nIn; i++ {
		v := prealloc
		if i < nIn {
			v = vs[i]
		}
		d, err := denseOfDims(v, vs[0].Dtype())
		want, r := op.dims(i)
		if err != nil || !equalDims(d.Shape(), want[:r]) {
			return nil, errors.Errorf("%v: value %d is %v, want %v (rank %d) of one float dtype (%v)", op, i, v.Shape(), want, r, err)
		}
		ds[i] = d
	}
	switch vs[0].Dtype() {
	case tensor.Float64:
		runConv(op, ds[:len(vs)+1], func(d *tensor.Dense) []float64 { return d.Float64s() }, &op.scratch.f64)
	case tensor.Float32:
		runConv(op, ds[:len(vs)+1], func(d *tensor.Dense) []float32 { return d.Float32s() }, &op.scratch.f32)
	default:
		return nil, errors.Errorf("%v: dtype %v, want float64 or float32", op, vs[0].Dtype())
	}
	return prealloc, nil
}

// denseOfDims returns v as a contiguous dense tensor of dtype dt.
func denseOfDims(v G.Value, dt tensor.Dtype) (*tensor.Dense, error) {
	t, ok := v.(tensor.Tensor)
	if !ok {
		return nil, errors.Errorf("value is a %T", v)
	}
	d, err := contiguous(t)
	if err == nil && d.Dtype() != dt {
		err = errors.Errorf("dtype %v, want %v", d.Dtype(), dt)
	}
	return d, err
}

// equalDims compares shapes dimension by dimension (tensor.Shape.Eq
// calls (2) and (1, 2) equal).
func equalDims(a, b tensor.Shape) bool { return slices.Equal(a, b) }

func (op *convOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *convOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindConv2d is the kind of FusedConv2D.
	KindConv2d = NewKind("conv2d")
	// KindConv2dInputGrad is the kind of Conv2DInputGrad.
	KindConv2dInputGrad = NewKind("conv2dinputgrad")
	// KindConv2dFilterGrad is the kind of Conv2DFilterGrad.
	KindConv2dFilterGrad = NewKind("conv2dfiltergrad")
)

// Identity is KindConv2d or one of its gradients.
func (op *convOp) Identity() Identity {
	return Identity{Kind: [...]Kind{KindConv2d, KindConv2dInputGrad, KindConv2dFilterGrad}[op.kind]}
}

func (op *convOp) String() string {
	g := op.geom
	name := [...]string{"fusedconv2d", "conv2dinputgrad", "conv2dfiltergrad"}[op.kind]
	return fmt.Sprintf("%s(x=%v,w=%v,s=%v,p=%v,bias=%v)", name, g.xShape(), g.wShape(),
		[2]int{g.sh, g.sw}, [2]int{g.ph, g.pw}, op.bias)
}
func (op *convOp) DiffWRT(n int) []bool { return allTrue(n) }

// SymDiff returns the other two conv maps applied to g (see FusedConv2D,
// Conv2DInputGrad and Conv2DFilterGrad), and ChannelSum(g) for the bias.
func (op *convOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	geo := op.geom
	k, s, p := [2]int{geo.kh, geo.kw}, [2]int{geo.sh, geo.sw}, [2]int{geo.ph, geo.pw}
	var d G.Nodes
	var err error
	add := func(n *G.Node, e error) {
		if err == nil {
			d, err = append(d, n), e
		}
	}
	switch op.kind {
	case convForward: // y = conv(x, w) + b
		add(Conv2DInputGrad(g, in[1], geo.h, geo.w, s, p))
		add(Conv2DFilterGrad(in[0], g, k, s, p))
		if op.bias {
			add(ChannelSum(g))
		}
	case convInput: // dx = convᵀ(G, w)
		add(FusedConv2D(g, in[1], nil, s, p))
		add(Conv2DFilterGrad(g, in[0], k, s, p))
	case convFilter: // dw = filter(x, G)
		add(Conv2DInputGrad(in[1], g, geo.h, geo.w, s, p))
		add(FusedConv2D(in[0], g, nil, s, p))
	}
	return d, errors.Wrapf(err, "gradient of %v", op)
}
