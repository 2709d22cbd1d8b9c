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

	"github.com/symgrad/symgrad/internal/blas"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops/kernels"
)

// Conv2D is PyTorch's Conv2d (cross-correlation, no dilation, one group):
// out[n, o, i, j] = b[o] + Σ_{c, u, v} w[o, c, u, v] · xpad[n, c, i·sH + u, j·sW + v],
// x [N, C, H, W], w [O, C, kH, kW], b [O] or nil, output
// [N, O, (H + 2pH - kH)/sH + 1, (W + 2pW - kW)/sW + 1].
//
// Gradient: d/dx is the transposed convolution of g with w; d/dw is the
// correlation of x with g; d/db = Σ_{n,i,j} g.
func Conv2D(x, w, b *G.Node, stride, padding [2]int) (out *G.Node, err error) {
	defer panics.Recover(&err, "conv2d of %s", x.Name())
	if err := checkConv(x, w, b, stride, padding); err != nil {
		return nil, err
	}
	ws := w.Shape()
	out, err = G.Conv2d(x, w, tensor.Shape{ws[2], ws[3]}, padding[:], stride[:], []int{1, 1})
	if err != nil {
		return nil, errors.Wrapf(err, "conv2d of %s %v with %s %v", x.Name(), x.Shape(), w.Name(), ws)
	}
	if b == nil {
		return out, nil
	}
	bb, err := expandChannels(b, out.Shape())
	if err != nil {
		return nil, errors.Wrap(err, "conv2d bias")
	}
	return gorgonia2(G.Add, out, bb)
}

func checkConv(x, w, b *G.Node, stride, padding [2]int) error {
	if err := checkFloatNode("conv2d", x); err != nil {
		return err
	}
	xs, ws := x.Shape(), w.Shape()
	if xs.Dims() != 4 || ws.Dims() != 4 || xs[1] != ws[1] || w.Dtype() != x.Dtype() {
		return errors.Errorf("conv2d: x must be [N, C, H, W] and w [O, C, kH, kW] of one dtype, got %v %v and %v %v", x.Dtype(), xs, w.Dtype(), ws)
	}
	if b != nil && (b.Dims() != 1 || b.Shape()[0] != ws[0] || b.Dtype() != x.Dtype()) {
		return errors.Errorf("conv2d: bias must be [%d], got %v %v", ws[0], b.Dtype(), b.Shape())
	}
	for i := 0; i < 2; i++ {
		if stride[i] < 1 || padding[i] < 0 || xs[2+i]+2*padding[i] < ws[2+i] {
			return errors.Errorf("conv2d: stride %v, padding %v do not fit x %v and kernel %v", stride, padding, xs, ws)
		}
	}
	return nil
}

// pair reads params[i], params[i+1] as an [2]int, or def when absent.
func pair(what string, p []float64, i int, def [2]int) ([2]int, error) {
	if len(p) <= i {
		return def, nil
	}
	if len(p) == i+1 {
		q, err := intParams(what, p[i:i+1])
		return [2]int{q[0], q[0]}, err
	}
	q, err := intParams(what, p[i:i+2])
	if err != nil {
		return def, err
	}
	return [2]int{q[0], q[1]}, nil
}

func init() {
	Register(&Spec{
		Name: "conv2d", Family: "conv",
		Forward:  "conv2d(x, w, b, sH, sW, pH, pW)[n,o,i,j] = b[o] + Σ_{c,u,v} w[o,c,u,v]·xpad[n,c,i·sH+u,j·sW+v]",
		Gradient: "d/dx = transposed convolution of g with w; d/dw = correlation of x with g; d/db = Σ_{n,i,j} g",
		Notes:    "PyTorch layout [O, C, kH, kW]; stride then padding as trailing numbers (default 1 and 0).",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			if len(p) != 0 && len(p) != 4 {
				return nil, errors.Errorf("conv2d takes 0 or 4 numeric arguments (sH, sW, pH, pW), got %d", len(p))
			}
			s, err := pair("conv2d", p, 0, [2]int{1, 1})
			if err != nil {
				return nil, err
			}
			pd, err := pair("conv2d", p, 2, [2]int{0, 0})
			if err != nil {
				return nil, err
			}
			return Conv2D(n[0], n[1], n[2], s, pd)
		},
		MinNodes: 3, MaxNodes: 3, MaxParams: 4,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 5, 5}, Domain: Real}, {Name: "w", Shape: []int{3, 2, 3, 3}, Domain: Real},
			{Name: "b", Shape: []int{3}, Domain: Real}}, Params: []float64{2, 2, 1, 1}},
		Dtypes: floats, TwiceDifferentiable: false,
	})
}

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

// dimsAt returns the shape of value i (the inputs, then the output) as an
// array and its rank, without allocating.
func (op *convOp) dimsAt(i int) ([4]int, int) {
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
	d, r := op.dimsAt(op.numIn())
	return tensor.Shape(d[:r]).Clone(), nil
}

func (op *convOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) == 0 {
		return nil, errors.Errorf("%v: no inputs", op)
	}
	d, r := op.dimsAt(op.numIn())
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(d[:r]...)), vs...)
}

// UsePreallocDo writes the op's result into prealloc, a contiguous tensor
// of the output shape and the inputs' dtype.
func (op *convOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	var all [4]*tensor.Dense
	ds, err := convOperands(op, op.numIn(), prealloc, vs, all[:])
	if err != nil {
		return nil, err
	}
	switch vs[0].Dtype() {
	case tensor.Float64:
		runConv(op, ds, func(d *tensor.Dense) []float64 { return d.Float64s() }, &op.scratch.f64)
	case tensor.Float32:
		runConv(op, ds, func(d *tensor.Dense) []float32 { return d.Float32s() }, &op.scratch.f32)
	default:
		return nil, errors.Errorf("%v: dtype %v, want float64 or float32", op, vs[0].Dtype())
	}
	return prealloc, nil
}

// convOp and conv1dOp: the dimensions of their values (inputs, then the
// output) as an array and its rank.
type convDims interface {
	fmt.Stringer
	dimsAt(i int) ([4]int, int)
}

// convOperands checks a conv op's nIn inputs vs and its output prealloc
// against op's dimensions and dtype (all of vs[0]'s), and returns them as
// contiguous dense tensors in buf (at least nIn+1 long), without
// allocating.
func convOperands(op convDims, nIn int, prealloc G.Value, vs []G.Value, buf []*tensor.Dense) ([]*tensor.Dense, error) {
	if len(vs) != nIn {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, nIn, len(vs))
	}
	ds := buf[:nIn+1]
	for i := range ds {
		v := prealloc
		if i < nIn {
			v = vs[i]
		}
		d, err := denseOfDims(v, vs[0].Dtype())
		want, r := op.dimsAt(i)
		if err != nil || !equalDims(d.Shape(), want[:r]) {
			return nil, errors.Errorf("%v: value %d is %v, want %v of one float dtype (%v)", op, i, v.Shape(), append(tensor.Shape(nil), want[:r]...), err)
		}
		ds[i] = d
	}
	return ds, nil
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
	var d gradients
	switch op.kind {
	case convForward: // y = conv(x, w) + b
		d.add(Conv2DInputGrad(g, in[1], geo.h, geo.w, s, p))
		d.add(Conv2DFilterGrad(in[0], g, k, s, p))
		if op.bias {
			d.add(ChannelSum(g))
		}
	case convInput: // dx = convᵀ(G, w)
		d.add(FusedConv2D(g, in[1], nil, s, p))
		d.add(Conv2DFilterGrad(g, in[0], k, s, p))
	case convFilter: // dw = filter(x, G)
		d.add(Conv2DInputGrad(in[1], g, geo.h, geo.w, s, p))
		d.add(FusedConv2D(in[0], g, nil, s, p))
	}
	return d.of(op)
}

// The conv kernels: the per-sample gemms of the three conv maps around
// im2col and col2im (package kernels), generic over float64 and float32.

// sample is the geometry of one sample, for the kernels package.
func (g *convGeom) sample() kernels.Conv {
	return kernels.Conv{C: g.c, H: g.h, W: g.w, KH: g.kh, KW: g.kw, SH: g.sh, SW: g.sw, PH: g.ph, PW: g.pw, OH: g.oh, OW: g.ow}
}

// runConv runs op on ds (its inputs, then its output), using *buf as the
// im2col buffer (grown once, under the op's mutex). The samples run one
// after the other: splitting them over two goroutines measured no faster
// on the 2-core machine (OpenBLAS serializes concurrent small gemms on its
// buffer lock) and made the filter gradient's sum order depend on the split.
func runConv[T float32 | float64](op *convOp, ds []*tensor.Dense, data func(*tensor.Dense) []T, buf *[]T) {
	g := &op.geom
	op.scratch.mu.Lock()
	defer op.scratch.mu.Unlock()
	colN := g.ckk() * g.p()
	if len(*buf) < colN {
		*buf = make([]T, colN)
	}
	col := (*buf)[:colN]
	a, b, out := data(ds[0]), data(ds[1]), data(ds[len(ds)-1])
	switch op.kind {
	case convForward:
		var bias []T
		if op.bias {
			bias = data(ds[2])
		}
		convForwardKernel(g, 0, g.n, a, b, bias, out, col)
	case convInput:
		convInputKernel(g, 0, g.n, a, b, out, col)
	case convFilter:
		convFilterKernel(g, 0, g.n, a, b, out, col)
	}
}

// convForwardKernel is y_n = W·im2col(x_n) + b for samples n0 <= n < n1.
func convForwardKernel[T float32 | float64](g *convGeom, n0, n1 int, x, w, bias, y, col []T) {
	p, ckk, xs, kg := g.p(), g.ckk(), g.c*g.h*g.w, g.sample()
	var beta T
	for n := n0; n < n1; n++ {
		yn := y[n*g.o*p : (n+1)*g.o*p]
		if bias != nil {
			for o, b := range bias {
				kernels.Fill(yn[o*p:(o+1)*p], b)
			}
			beta = 1
		}
		kernels.Im2Col(&kg, col, x[n*xs:(n+1)*xs])
		gemmT(false, false, g.o, p, ckk, w, ckk, col, p, beta, yn, p)
	}
}

// convInputKernel is dx_n = col2im(Wᵀ·G_n) for samples n0 <= n < n1.
func convInputKernel[T float32 | float64](g *convGeom, n0, n1 int, dy, w, dx, col []T) {
	p, ckk, xs, kg := g.p(), g.ckk(), g.c*g.h*g.w, g.sample()
	for n := n0; n < n1; n++ {
		gemmT(true, false, ckk, p, g.o, w, ckk, dy[n*g.o*p:(n+1)*g.o*p], p, 0, col, p)
		dxn := dx[n*xs : (n+1)*xs]
		clear(dxn)
		kernels.Col2Im(&kg, dxn, col)
	}
}

// convFilterKernel is dW = Σ_{n0 <= n < n1} G_n·im2col(x_n)ᵀ.
func convFilterKernel[T float32 | float64](g *convGeom, n0, n1 int, x, dy, dw, col []T) {
	p, ckk, xs, kg := g.p(), g.ckk(), g.c*g.h*g.w, g.sample()
	var beta T
	for n := n0; n < n1; n++ {
		kernels.Im2Col(&kg, col, x[n*xs:(n+1)*xs])
		gemmT(false, true, g.o, ckk, p, dy[n*g.o*p:(n+1)*g.o*p], p, col, p, beta, dw, ckk)
		beta = 1
	}
	if n0 == n1 {
		clear(dw)
	}
}

// gemmT is c = op(a)·op(b) + beta·c through the build's BLAS, for
// row-major slices with leading dimensions lda, ldb, ldc.
func gemmT[T float32 | float64](ta, tb bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		scaleInPlace(c[:(m-1)*ldc+n], beta)
		return
	}
	switch a := any(a).(type) {
	case []float64:
		blas.Dgemm(trans(ta), trans(tb), m, n, k, 1, a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	case []float32:
		blas.Sgemm(trans(ta), trans(tb), m, n, k, 1, a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	}
}

func scaleInPlace[T float32 | float64](c []T, beta T) {
	for i := range c {
		c[i] *= beta
	}
}

// ChannelSum sums x [N, C, ...] over every axis but the channel axis 1:
// y_c = Σ_{n,k} x[n, c, k], [C] (the bias gradient of FusedConv2D). For each
// sample the channel's elements are summed first, then the samples in order.
//
// Gradient: dx = ChannelBroadcast(g, shape of x).
func ChannelSum(x *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "channelsum")
	if err := checkFloatNode("channelsum", x); err != nil {
		return nil, err
	}
	if x.Dims() < 2 {
		return nil, errors.Errorf("channelsum: %s has shape %v, want [N, C, ...]", x.Name(), x.Shape())
	}
	out, err = Apply(&chanOp{sum: true, shape: x.Shape().Clone()}, x)
	return out, errors.Wrapf(err, "channelsum of %s %v", x.Name(), x.Shape())
}

// ChannelBroadcast copies v [C] into every channel of a tensor of the given
// shape [N, C, ...]: y[n, c, k] = v_c.
//
// Gradient: dv = ChannelSum(g).
func ChannelBroadcast(v *G.Node, shape tensor.Shape) (out *G.Node, err error) {
	defer panics.Recover(&err, "channelbroadcast")
	if err := checkFloatNode("channelbroadcast", v); err != nil {
		return nil, err
	}
	if v.Dims() != 1 || len(shape) < 2 || shape[1] != v.Shape()[0] || shape.TotalSize() <= 0 {
		return nil, errors.Errorf("channelbroadcast: %s %v does not fit shape %v", v.Name(), v.Shape(), shape)
	}
	out, err = Apply(&chanOp{shape: shape.Clone()}, v)
	return out, errors.Wrapf(err, "channelbroadcast of %s %v to %v", v.Name(), v.Shape(), shape)
}

// chanOp is ChannelSum (shape -> [C]) when sum, else ChannelBroadcast
// ([C] -> shape); each is the other's gradient.
type chanOp struct {
	unaryBase
	sum   bool
	shape tensor.Shape // the [N, C, ...] side
}

var (
	_ G.SDOp            = (*chanOp)(nil)
	_ G.UsePreallocDoer = (*chanOp)(nil)
)

func (op *chanOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return fnType(!op.sum, typeOfDims(len(op.shape), a), G.TensorType{Dims: 1, Of: a})
}
func (op *chanOp) io() (in, out tensor.Shape) {
	if op.sum {
		return op.shape, tensor.Shape{op.shape[1]}
	}
	return tensor.Shape{op.shape[1]}, op.shape
}
func (op *chanOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	_, out := op.io()
	return out.Clone(), nil
}
func (op *chanOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	_, out := op.io()
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(out.Clone()...)), vs...)
}
func (op *chanOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	x, y, _, err := preallocOperands(op, "channelsum/channelbroadcast", 1, vs, prealloc)
	if err != nil {
		return nil, err
	}
	in, out := op.io()
	if !equalDims(x.Shape(), in) || !equalDims(y.Shape(), out) {
		return nil, errors.Errorf("%v: input shape %v, output shape %v", op, x.Shape(), y.Shape())
	}
	n, c := op.shape[0], op.shape[1]
	k := op.shape.TotalSize() / (n * c)
	if y.Dtype() == tensor.Float64 {
		chanKernel(op.sum, x.Float64s(), y.Float64s(), n, c, k)
	} else {
		chanKernel(op.sum, x.Float32s(), y.Float32s(), n, c, k)
	}
	return prealloc, nil
}

// chanKernel sums big [n, c, k] into v [c] (sum), or copies v into big.
func chanKernel[T float32 | float64](sum bool, x, y []T, n, c, k int) {
	if !sum {
		for i := 0; i < n*c; i++ {
			kernels.Fill(y[i*k:(i+1)*k], x[i%c])
		}
		return
	}
	clear(y)
	for i := 0; i < n*c; i++ {
		var s T
		for _, e := range x[i*k : (i+1)*k] {
			s += e
		}
		y[i%c] += s
	}
}

func (op *chanOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *chanOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindChannelSum is the kind of ChannelSum.
	KindChannelSum = NewKind("channelsum")
	// KindChannelBroadcast is the kind of ChannelBroadcast.
	KindChannelBroadcast = NewKind("channelbroadcast")
)

// Identity is KindChannelSum or KindChannelBroadcast.
func (op *chanOp) Identity() Identity {
	return Identity{Kind: choose(op.sum, KindChannelSum, KindChannelBroadcast)}
}

func (op *chanOp) String() string {
	return fmt.Sprintf("%s(%v)", choose(op.sum, "channelsum", "channelbroadcast"), op.shape)
}

// SymDiff is the other chanOp applied to g.
func (op *chanOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	return applyAdjoint(op, &chanOp{sum: !op.sum, shape: op.shape.Clone()}, g)
}

// Registry entries of the fused conv ops and channel ops above.

// convParams reads n integer params, or def when none are given.
func convParams(what string, p []float64, def []int) ([]int, error) {
	if len(p) == 0 {
		return def, nil
	}
	if len(p) != len(def) {
		return nil, errors.Errorf("%s takes 0 or %d numeric arguments, got %d", what, len(def), len(p))
	}
	return intParams(what, p)
}

func init() {
	Register(&Spec{Name: "fusedconv2d", Family: "fused",
		Reference: refConv2D, ReferenceOf: "conv2d: Gorgonia's Conv2d plus the bias",
		Forward:  "fusedconv2d(x, w, b, sH, sW, pH, pW)[n,o,i,j] = b[o] + Σ_{c,u,v} w[o,c,u,v]·xpad[n,c,i·sH+u,j·sW+v]",
		Gradient: "dx = conv2dinputgrad(g, w), dw = conv2dfiltergrad(x, g), db = channelsum(g)",
		Notes:    "symgrad op: im2col into a reused buffer and one gemm per sample written in [N,O,oH,oW] on rows prefilled with b; equals conv2d (Gorgonia's) to 1e-12.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			q, err := convParams("fusedconv2d", p, []int{1, 1, 0, 0})
			if err != nil {
				return nil, err
			}
			return FusedConv2D(n[0], n[1], n[2], [2]int{q[0], q[1]}, [2]int{q[2], q[3]})
		},
		MinNodes: 3, MaxNodes: 3, MaxParams: 4,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 5, 5}, Domain: Real}, {Name: "w", Shape: []int{3, 2, 3, 3}, Domain: Real},
			{Name: "b", Shape: []int{3}, Domain: Real}}, Params: []float64{2, 2, 1, 1}},
		Dtypes: floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "conv2dinputgrad", Family: "fused",
		Forward:  "conv2dinputgrad(g, w, sH, sW, pH, pW, H, W) = col2im(Wᵀ·g_n) per sample: the convolution's dL/dx for x of height H, width W",
		Gradient: "dg = fusedconv2d(h, w) (no bias), dw = conv2dfiltergrad(h, g)",
		Notes:    "symgrad op: fusedconv2d's input gradient (a transposed convolution), bilinear.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			q, err := convParams("conv2dinputgrad", p, []int{1, 1, 0, 0, 0, 0})
			if err != nil {
				return nil, err
			}
			if len(p) == 0 { // stride 1, no padding: the input size follows
				ws, gs := n[1].Shape(), n[0].Shape()
				q[4], q[5] = gs[2]+ws[2]-1, gs[3]+ws[3]-1
			}
			return Conv2DInputGrad(n[0], n[1], q[4], q[5], [2]int{q[0], q[1]}, [2]int{q[2], q[3]})
		},
		MinNodes: 2, MaxNodes: 2, MaxParams: 6,
		Example: Example{Inputs: []Input{{Name: "g", Shape: []int{2, 3, 3, 3}, Domain: Real}, {Name: "w", Shape: []int{3, 2, 3, 3}, Domain: Real}},
			Params: []float64{2, 2, 1, 1, 5, 5}},
		Dtypes: floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "conv2dfiltergrad", Family: "fused",
		Forward:  "conv2dfiltergrad(x, g, kH, kW, sH, sW, pH, pW) = Σ_n g_n·im2col(x_n)ᵀ: the convolution's dL/dw",
		Gradient: "dx = conv2dinputgrad(g, h), dg = fusedconv2d(x, h) (no bias)",
		Notes:    "symgrad op: fusedconv2d's filter gradient, bilinear.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			q, err := convParams("conv2dfiltergrad", p, []int{0, 0, 1, 1, 0, 0})
			if err != nil {
				return nil, err
			}
			if len(p) == 0 { // stride 1, no padding: the kernel size follows
				xs, gs := n[0].Shape(), n[1].Shape()
				q[0], q[1] = xs[2]-gs[2]+1, xs[3]-gs[3]+1
			}
			return Conv2DFilterGrad(n[0], n[1], [2]int{q[0], q[1]}, [2]int{q[2], q[3]}, [2]int{q[4], q[5]})
		},
		MinNodes: 2, MaxNodes: 2, MaxParams: 6,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 5, 5}, Domain: Real}, {Name: "g", Shape: []int{2, 3, 3, 3}, Domain: Real}},
			Params: []float64{3, 3, 2, 2, 1, 1}},
		Dtypes: floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "channelsum", Family: "fused",
		Reference: refChannelSum, ReferenceOf: "Gorgonia's Sum over every axis but the channels", Forward: "channelsum(x)_c = Σ_{n,k} x[n,c,k] (x [N,C,...] -> [C])",
		Gradient: "dx = channelbroadcast(g, shape of x)", Notes: "symgrad op: fusedconv2d's bias gradient, into a preallocated buffer.",
		Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return ChannelSum(n[0]) },
		MinNodes: 1, MaxNodes: 1,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 3, 2, 2}, Domain: Real}}},
		Dtypes:  floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "channelbroadcast", Family: "fused", Forward: "channelbroadcast(v, N, H, W)[n,c,h,w] = v_c (v [C] -> [N,C,H,W])",
		Gradient: "dv = channelsum(g)", Notes: "symgrad op: the adjoint of channelsum.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			q, err := convParams("channelbroadcast", p, []int{2, 2, 2})
			if err != nil {
				return nil, err
			}
			return ChannelBroadcast(n[0], tensor.Shape{q[0], n[0].Shape()[0], q[1], q[2]})
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 3,
		Example: Example{Inputs: []Input{{Name: "v", Shape: []int{3}, Domain: Real}}, Params: []float64{2, 2, 3}},
		Dtypes:  floats, TwiceDifferentiable: true})
}

// poolParams reads a pool's kernel (default 2x2), stride (default the

func refConv2D(n []*G.Node, p []float64) (*G.Node, error) {
	q, err := convParams("fusedconv2d", p, []int{1, 1, 0, 0})
	if err != nil {
		return nil, err
	}
	return Conv2D(n[0], n[1], n[2], [2]int{q[0], q[1]}, [2]int{q[2], q[3]})
}

// refMaxPool2D is fusedmaxpool2d as Gorgonia's MaxPool2D, whose padding
func refChannelSum(n []*G.Node, _ []float64) (*G.Node, error) {
	axes := []int{0}
	for a := 2; a < n[0].Dims(); a++ {
		axes = append(axes, a)
	}
	return G.Sum(n[0], axes...)
}

// Conv1D is PyTorch's Conv1d (cross-correlation, one group) with stride s,
// zero padding p and dilation d:
// y[n, o, j] = b[o] + Σ_{c,k} w[o,c,k] · xpad[n, c, j·s + k·d],
// x [N, C, L], w [O, C, K], b [O] or nil, output [N, O, (L + 2p - d(K-1) - 1)/s + 1].
// Per sample, x is unfolded into a reused buffer (col [C·K, oL]) and
// y_n = W [O, C·K] · col is one BLAS gemm on rows prefilled with the bias.
//
// Gradient, with G = dL/dy: dx = Conv1DInputGrad(G, w) (per sample
// col = Wᵀ·G_n, then col2im), dw = Conv1DFilterGrad(x, G) (Σ_n G_n·col_nᵀ),
// db = ChannelSum(G). The three maps are bilinear and each other's
// gradients, so Conv1D is differentiable any number of times.
func Conv1D(x, w, b *G.Node, stride, padding, dilation int) (out *G.Node, err error) {
	defer panics.Recover(&err, "conv1d of %s", x.Name())
	if err := checkFloatNode("conv1d", x); err != nil {
		return nil, err
	}
	xs, ws := x.Shape(), w.Shape()
	if xs.Dims() != 3 || ws.Dims() != 3 || xs[1] != ws[1] || w.Dtype() != x.Dtype() {
		return nil, errors.Errorf("conv1d: x must be [N, C, L] and w [O, C, K] of one dtype, got %v %v and %v %v", x.Dtype(), xs, w.Dtype(), ws)
	}
	if b != nil && (b.Dims() != 1 || b.Shape()[0] != ws[0] || b.Dtype() != x.Dtype()) {
		return nil, errors.Errorf("conv1d: bias must be [%d], got %v %v", ws[0], b.Dtype(), b.Shape())
	}
	geom, err := newConv1DGeom(xs, ws, stride, padding, dilation)
	if err != nil {
		return nil, err
	}
	in := []*G.Node{x, w}
	if b != nil {
		in = append(in, b)
	}
	out, err = Apply(&conv1dOp{geom: geom, kind: convForward, bias: b != nil}, in...)
	return out, errors.Wrapf(err, "conv1d of %s %v with %s %v", x.Name(), xs, w.Name(), ws)
}

// Conv1DInputGrad is the gradient of Conv1D with respect to its input x
// [N, C, inL] (the transposed convolution): per sample col = Wᵀ·G_n
// [C·K, oL], then col2im adds every column back where it was read from.
// g is dL/dy [N, O, oL], w [O, C, K].
//
// Gradient: dg = Conv1D(H, w) without bias, dw = Conv1DFilterGrad(H, g).
func Conv1DInputGrad(g, w *G.Node, inL, stride, padding, dilation int) (out *G.Node, err error) {
	defer panics.Recover(&err, "conv1d input gradient")
	gs, ws := g.Shape(), w.Shape()
	if gs.Dims() != 3 || ws.Dims() != 3 || gs[1] != ws[0] {
		return nil, errors.Errorf("conv1d input gradient: g %v and w %v must be [N, O, oL] and [O, C, K]", gs, ws)
	}
	geom, err := newConv1DGeom(tensor.Shape{gs[0], ws[1], inL}, ws, stride, padding, dilation)
	if err != nil {
		return nil, err
	}
	if geom.ol != gs[2] {
		return nil, errors.Errorf("conv1d input gradient: g %v does not fit an input of length %d, kernel %v, stride %d, padding %d, dilation %d", gs, inL, ws, stride, padding, dilation)
	}
	return applyConv(&conv1dOp{geom: geom, kind: convInput}, g, w)
}

// Conv1DFilterGrad is the gradient of Conv1D with respect to its filter w
// [O, C, K]: dw = Σ_n G_n [O, oL] · col_nᵀ, col_n the unfolding of sample n
// of x [N, C, L]; g is dL/dy [N, O, oL].
//
// Gradient: dx = Conv1DInputGrad(g, H), dg = Conv1D(x, H) without bias.
func Conv1DFilterGrad(x, g *G.Node, kernel, stride, padding, dilation int) (out *G.Node, err error) {
	defer panics.Recover(&err, "conv1d filter gradient")
	xs, gs := x.Shape(), g.Shape()
	if xs.Dims() != 3 || gs.Dims() != 3 || gs[0] != xs[0] {
		return nil, errors.Errorf("conv1d filter gradient: x %v and g %v must be [N, C, L] and [N, O, oL]", xs, gs)
	}
	geom, err := newConv1DGeom(xs, tensor.Shape{gs[1], xs[1], kernel}, stride, padding, dilation)
	if err != nil {
		return nil, err
	}
	if geom.ol != gs[2] {
		return nil, errors.Errorf("conv1d filter gradient: g %v does not fit x %v, kernel %d, stride %d, padding %d, dilation %d", gs, xs, kernel, stride, padding, dilation)
	}
	return applyConv(&conv1dOp{geom: geom, kind: convFilter}, x, g)
}

// conv1dGeom is a 1-D convolution's geometry: x [n,c,l], w [o,c,k],
// y [n,o,ol], stride s, padding p, dilation d.
type conv1dGeom struct{ n, c, l, o, k, s, p, d, ol int }

func newConv1DGeom(xs, ws tensor.Shape, stride, padding, dilation int) (conv1dGeom, error) {
	g := conv1dGeom{n: xs[0], c: xs[1], l: xs[2], o: ws[0], k: ws[2], s: stride, p: padding, d: dilation}
	span := dilation*(g.k-1) + 1
	if stride < 1 || padding < 0 || dilation < 1 || g.k < 1 || g.l+2*padding < span {
		return g, errors.Errorf("conv1d: stride %d, padding %d, dilation %d do not fit x %v and kernel %v", stride, padding, dilation, xs, ws)
	}
	g.ol = (g.l+2*padding-span)/stride + 1
	return g, nil
}

func (g conv1dGeom) ck() int { return g.c * g.k }

// conv1dOp is one of Conv1D's three bilinear maps (convKind), with its
// unfolding buffer (reused across runs, guarded by the scratch's mutex).
type conv1dOp struct {
	opBase
	geom    conv1dGeom
	kind    convKind
	bias    bool
	scratch convScratch
}

var (
	_ G.SDOp            = (*conv1dOp)(nil)
	_ G.UsePreallocDoer = (*conv1dOp)(nil)
)

func (op *conv1dOp) Arity() int { return 2 + btoi(op.bias) }
func (op *conv1dOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := G.TensorType{Dims: 3, Of: a}
	if op.bias {
		return hm.NewFnType(t, t, G.TensorType{Dims: 1, Of: a}, t)
	}
	return hm.NewFnType(t, t, t)
}

// dims returns the shape of value i (the inputs, then the output).
func (op *conv1dOp) dims(i int) tensor.Shape {
	a, n := op.dimsAt(i)
	return append(tensor.Shape(nil), a[:n]...)
}

// dimsAt returns the dimensions of value i and their count in an array,
// which UsePreallocDo compares without allocating.
func (op *conv1dOp) dimsAt(i int) ([4]int, int) {
	g := op.geom
	x, w, y := [4]int{g.n, g.c, g.l}, [4]int{g.o, g.c, g.k}, [4]int{g.n, g.o, g.ol}
	var all [4][4]int
	switch {
	case op.kind == convInput:
		all = [4][4]int{y, w, x}
	case op.kind == convFilter:
		all = [4][4]int{x, y, w}
	case op.bias:
		all = [4][4]int{x, w, {g.o}, y}
		if i == 2 {
			return all[i], 1
		}
	default:
		all = [4][4]int{x, w, y}
	}
	return all[i], 3
}

func (op *conv1dOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.dims(op.Arity()), nil }

func (op *conv1dOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) == 0 {
		return nil, errors.Errorf("%v: no inputs", op)
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(op.dims(op.Arity())...)), vs...)
}

// UsePreallocDo writes the op's result into prealloc.
func (op *conv1dOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	var all [4]*tensor.Dense
	ds, err := convOperands(op, op.Arity(), prealloc, vs, all[:])
	if err != nil {
		return nil, err
	}
	switch vs[0].Dtype() {
	case tensor.Float64:
		runConv1D(op, ds, func(d *tensor.Dense) []float64 { return d.Float64s() }, &op.scratch.f64)
	case tensor.Float32:
		runConv1D(op, ds, func(d *tensor.Dense) []float32 { return d.Float32s() }, &op.scratch.f32)
	default:
		return nil, errors.Errorf("%v: dtype %v, want float64 or float32", op, vs[0].Dtype())
	}
	return prealloc, nil
}

func (op *conv1dOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *conv1dOp) Hashcode() uint32      { return hashOf(op) }
func (op *conv1dOp) String() string {
	g := op.geom
	name := [...]string{"conv1d", "conv1dinputgrad", "conv1dfiltergrad"}[op.kind]
	return fmt.Sprintf("%s(x=%v,w=%v,s=%d,p=%d,d=%d,bias=%v)", name, []int{g.n, g.c, g.l}, []int{g.o, g.c, g.k}, g.s, g.p, g.d, op.bias)
}
func (op *conv1dOp) DiffWRT(n int) []bool { return allTrue(n) }

// SymDiff returns the other two maps applied to g, and ChannelSum(g) for
// the bias.
func (op *conv1dOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	geo := op.geom
	var d gradients
	switch op.kind {
	case convForward:
		d.add(Conv1DInputGrad(g, in[1], geo.l, geo.s, geo.p, geo.d))
		d.add(Conv1DFilterGrad(in[0], g, geo.k, geo.s, geo.p, geo.d))
		if op.bias {
			d.add(ChannelSum(g))
		}
	case convInput: // dx = convᵀ(G, w)
		d.add(Conv1D(g, in[1], nil, geo.s, geo.p, geo.d))
		d.add(Conv1DFilterGrad(g, in[0], geo.k, geo.s, geo.p, geo.d))
	case convFilter: // dw = filter(x, G)
		d.add(Conv1DInputGrad(in[1], g, geo.l, geo.s, geo.p, geo.d))
		d.add(Conv1D(in[0], g, nil, geo.s, geo.p, geo.d))
	}
	return d.of(op)
}

// runConv1D runs op on ds (its inputs, then its output) with *buf as the
// unfolding buffer, sample after sample.
func runConv1D[T float32 | float64](op *conv1dOp, ds []*tensor.Dense, data func(*tensor.Dense) []T, buf *[]T) {
	g := &op.geom
	op.scratch.mu.Lock()
	defer op.scratch.mu.Unlock()
	colN := g.ck() * g.ol
	if len(*buf) < colN {
		*buf = make([]T, colN)
	}
	col := (*buf)[:colN]
	a, b, out := data(ds[0]), data(ds[1]), data(ds[len(ds)-1])
	ck, xs, ys := g.ck(), g.c*g.l, g.o*g.ol
	var beta T
	switch op.kind {
	case convForward:
		if op.bias {
			beta = 1
		}
		for n := 0; n < g.n; n++ {
			yn := out[n*ys : (n+1)*ys]
			if op.bias {
				for o, v := range data(ds[2]) {
					kernels.Fill(yn[o*g.ol:(o+1)*g.ol], v)
				}
			}
			im2col1D(g, col, a[n*xs:(n+1)*xs])
			gemmT(false, false, g.o, g.ol, ck, b, ck, col, g.ol, beta, yn, g.ol)
		}
	case convInput: // a = G, b = w
		for n := 0; n < g.n; n++ {
			gemmT(true, false, ck, g.ol, g.o, b, ck, a[n*ys:(n+1)*ys], g.ol, 0, col, g.ol)
			dxn := out[n*xs : (n+1)*xs]
			clear(dxn)
			col2im1D(g, dxn, col)
		}
	case convFilter: // a = x, b = G
		clear(out)
		for n := 0; n < g.n; n++ {
			im2col1D(g, col, a[n*xs:(n+1)*xs])
			gemmT(false, true, g.o, ck, g.ol, b[n*ys:(n+1)*ys], g.ol, col, g.ol, 1, out, ck)
		}
	}
}

// im2col1D unfolds one sample x [C, L] into col [C·K, oL]:
// col[c·K + k][j] = xpad[c, j·s + k·d].
func im2col1D[T float32 | float64](g *conv1dGeom, col, x []T) {
	for c := 0; c < g.c; c++ {
		xc := x[c*g.l : (c+1)*g.l]
		for k := 0; k < g.k; k++ {
			dst := col[(c*g.k+k)*g.ol : (c*g.k+k+1)*g.ol]
			off := k*g.d - g.p
			lo, hi := kernels.ValidRange(g.ol, g.l, g.s, off+g.p, g.p)
			clear(dst[:lo])
			clear(dst[hi:])
			if g.s == 1 {
				copy(dst[lo:hi], xc[lo+off:hi+off])
				continue
			}
			for j := lo; j < hi; j++ {
				dst[j] = xc[j*g.s+off]
			}
		}
	}
}

// col2im1D is im2col1D's adjoint: it adds col [C·K, oL] into the positions
// of x [C, L] they were read from (padding dropped).
func col2im1D[T float32 | float64](g *conv1dGeom, x, col []T) {
	for c := 0; c < g.c; c++ {
		xc := x[c*g.l : (c+1)*g.l]
		for k := 0; k < g.k; k++ {
			src := col[(c*g.k+k)*g.ol : (c*g.k+k+1)*g.ol]
			off := k*g.d - g.p
			lo, hi := kernels.ValidRange(g.ol, g.l, g.s, off+g.p, g.p)
			for j := lo; j < hi; j++ {
				xc[j*g.s+off] += src[j]
			}
		}
	}
}

// KindConv1d is the kind of Conv1d and its gradients.
var KindConv1d = NewKind("conv1d")

// Identity is KindConv1d.
func (op *conv1dOp) Identity() Identity { return Identity{Kind: KindConv1d} }

// Registry entries of the 1-D conv and pooling ops above.

func init() {
	Register(&Spec{Name: "conv1d", Family: "conv1d",
		Forward:  "conv1d(x, w, b, s, p, d)[n,o,j] = b[o] + Σ_{c,k} w[o,c,k]·xpad[n,c,j·s+k·d] (x [N,C,L], w [O,C,K]; stride s, zero padding p, dilation d)",
		Gradient: "dx = conv1dinputgrad(g, w), dw = conv1dfiltergrad(x, g), db = channelsum(g)",
		Notes:    "symgrad op: PyTorch's Conv1d (one group); per sample one unfolding into a reused buffer and one gemm on rows prefilled with b. Bilinear: differentiable any number of times.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			q, err := convParams("conv1d", p, []int{1, 0, 1})
			if err != nil {
				return nil, err
			}
			return Conv1D(n[0], n[1], n[2], q[0], q[1], q[2])
		},
		MinNodes: 3, MaxNodes: 3, MaxParams: 3,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 9}, Domain: Real}, {Name: "w", Shape: []int{3, 2, 3}, Domain: Real},
			{Name: "b", Shape: []int{3}, Domain: Real}}, Params: []float64{2, 1, 2}},
		Dtypes: floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "conv1dinputgrad", Family: "conv1d",
		Forward:  "conv1dinputgrad(g, w, s, p, d, L) = col2im(Wᵀ·g_n) per sample: conv1d's dL/dx for x of length L",
		Gradient: "dg = conv1d(h, w) (no bias), dw = conv1dfiltergrad(h, g)",
		Notes:    "symgrad op: conv1d's input gradient (a transposed convolution), bilinear.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			q, err := convParams("conv1dinputgrad", p, []int{1, 0, 1, 0})
			if err != nil {
				return nil, err
			}
			if len(p) == 0 { // stride 1, no padding, no dilation: the length follows
				q[3] = n[0].Shape()[2] + n[1].Shape()[2] - 1
			}
			return Conv1DInputGrad(n[0], n[1], q[3], q[0], q[1], q[2])
		},
		MinNodes: 2, MaxNodes: 2, MaxParams: 4,
		Example: Example{Inputs: []Input{{Name: "g", Shape: []int{2, 3, 4}, Domain: Real}, {Name: "w", Shape: []int{3, 2, 3}, Domain: Real}},
			Params: []float64{2, 1, 2, 9}},
		Dtypes: floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "conv1dfiltergrad", Family: "conv1d",
		Forward:  "conv1dfiltergrad(x, g, K, s, p, d) = Σ_n g_n·im2col(x_n)ᵀ: conv1d's dL/dw for a kernel of size K",
		Gradient: "dx = conv1dinputgrad(g, h), dg = conv1d(x, h) (no bias)",
		Notes:    "symgrad op: conv1d's filter gradient, bilinear.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			q, err := convParams("conv1dfiltergrad", p, []int{0, 1, 0, 1})
			if err != nil {
				return nil, err
			}
			if len(p) == 0 { // stride 1, no padding, no dilation: the kernel follows
				q[0] = n[0].Shape()[2] - n[1].Shape()[2] + 1
			}
			return Conv1DFilterGrad(n[0], n[1], q[0], q[1], q[2], q[3])
		},
		MinNodes: 2, MaxNodes: 2, MaxParams: 4,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 9}, Domain: Real}, {Name: "g", Shape: []int{2, 3, 4}, Domain: Real}},
			Params: []float64{3, 2, 1, 2}},
		Dtypes: floats, TwiceDifferentiable: true})
}
