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
					fill(yn[o*g.ol:(o+1)*g.ol], v)
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

// MaxPool1D is PyTorch's MaxPool1d(kernel, stride, padding) over x
// [N, C, L]: y[n, c, j] = max_{k<K} xpad[n, c, j·s + k], xpad padded with
// -∞ (2·padding <= kernel), output [N, C, (L + 2p - K)/s + 1]. It is
// MaxPool2DPadded over x viewed as [N, C, 1, L] (reshapes copy).
//
// Gradient: g at each window's argmax (MaxPool2DPaddedScatter), 0
// elsewhere.
func MaxPool1D(x *G.Node, kernel, stride, padding int) (out *G.Node, err error) {
	defer panics.Recover(&err, "maxpool1d of %s", x.Name())
	return pool1D("maxpool1d", x, kernel, stride, padding, func(x4 *G.Node) (*G.Node, error) {
		return MaxPool2DPadded(x4, [2]int{1, kernel}, [2]int{1, stride}, [2]int{0, padding})
	})
}

// AvgPool1D is PyTorch's AvgPool1d(kernel, stride, padding) with
// count_include_pad=True over x [N, C, L]: y[n, c, j] =
// Σ_{k<K} xpad[n, c, j·s + k] / K, xpad zero-padded, output
// [N, C, (L + 2p - K)/s + 1]. It is AvgPool2D over x viewed as
// [N, C, 1, L].
//
// Gradient: g / K spread over each window (padding dropped).
func AvgPool1D(x *G.Node, kernel, stride, padding int) (out *G.Node, err error) {
	defer panics.Recover(&err, "avgpool1d of %s", x.Name())
	return pool1D("avgpool1d", x, kernel, stride, padding, func(x4 *G.Node) (*G.Node, error) {
		return AvgPool2D(x4, [2]int{1, kernel}, [2]int{1, stride}, [2]int{0, padding})
	})
}

// pool1D checks x [N, C, L], views it as [N, C, 1, L], pools it with
// pool2d and views the result as [N, C, oL].
func pool1D(what string, x *G.Node, kernel, stride, padding int, pool2d func(*G.Node) (*G.Node, error)) (*G.Node, error) {
	if err := checkFloatNode(what, x); err != nil {
		return nil, err
	}
	s := x.Shape()
	if s.Dims() != 3 {
		return nil, errors.Errorf("%s: x must be [N, C, L], got %s %v", what, x.Name(), s)
	}
	if kernel < 1 || stride < 1 || padding < 0 || 2*padding > kernel || s[2]+2*padding < kernel {
		return nil, errors.Errorf("%s: kernel %d, stride %d, padding %d do not fit %s %v (PyTorch: padding at most half the kernel)", what, kernel, stride, padding, x.Name(), s)
	}
	x4, err := Reshape(x, s[0], s[1], 1, s[2])
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	y4, err := pool2d(x4)
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	ys := y4.Shape()
	y, err := Reshape(y4, ys[0], ys[1], ys[3])
	return y, errors.Wrapf(err, "%s of %s %v", what, x.Name(), s)
}

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
	pool := func(what string, f func(*G.Node, int, int, int) (*G.Node, error)) func([]*G.Node, []float64) (*G.Node, error) {
		return func(n []*G.Node, p []float64) (*G.Node, error) {
			q, err := intParams(what, p)
			if err != nil {
				return nil, err
			}
			k, s, pd := 2, 0, 0 // kernel, stride (0: the kernel), padding
			if len(q) > 0 {
				k = q[0]
			}
			if len(q) > 1 {
				s = q[1]
			}
			if len(q) > 2 {
				pd = q[2]
			}
			if s == 0 {
				s = k
			}
			return f(n[0], k, s, pd)
		}
	}
	Register(&Spec{Name: "maxpool1d", Family: "conv1d",
		Forward:  "maxpool1d(x, K, s, p)[n,c,j] = max_{k<K} xpad[n,c,j·s+k], xpad padded with -∞ (stride defaults to K, padding to 0; 2p <= K)",
		Gradient: "g at each window's argmax, 0 elsewhere (maxpool2dscatter over x viewed as [N,C,1,L])",
		Notes:    "PyTorch's MaxPool1d(kernel, stride, padding): fusedmaxpool2d on [N,C,1,L]. Not differentiable where a window's maximum is tied.",
		Build:    pool("maxpool1d", MaxPool1D),
		MinNodes: 1, MaxNodes: 1, MaxParams: 3,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 3, 9}, Domain: Real}}, Params: []float64{3, 2, 1}},
		Dtypes:  floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "avgpool1d", Family: "conv1d",
		Forward:  "avgpool1d(x, K, s, p)[n,c,j] = Σ_{k<K} xpad[n,c,j·s+k] / K, xpad zero-padded (count_include_pad; stride defaults to K, padding to 0)",
		Gradient: "g / K spread over each window, padding dropped",
		Notes:    "PyTorch's AvgPool1d(kernel, stride, padding) with count_include_pad=True: avgpool2d on [N,C,1,L].",
		Build:    pool("avgpool1d", AvgPool1D),
		MinNodes: 1, MaxNodes: 1, MaxParams: 3,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 3, 9}, Domain: Real}}, Params: []float64{3, 2, 1}},
		Dtypes:  floats, TwiceDifferentiable: true})
}
