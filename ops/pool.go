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

// MaxPool2D is PyTorch's MaxPool2d(kernel, stride) without padding:
// out[n, c, i, j] = max_{u<kH, v<kW} x[n, c, i·sH + u, j·sW + v].
//
// Gradient: g routed to the position of each window's maximum.
func MaxPool2D(x *G.Node, kernel, stride [2]int) (out *G.Node, err error) {
	defer panics.Recover(&err, "maxpool2d of %s", x.Name())
	if err := checkPool("maxpool2d", x, kernel, stride, [2]int{}); err != nil {
		return nil, err
	}
	out, err = G.MaxPool2D(x, tensor.Shape{kernel[0], kernel[1]}, []int{0, 0}, stride[:])
	return out, errors.Wrapf(err, "maxpool2d of %s %v", x.Name(), x.Shape())
}

// AvgPool2D is PyTorch's AvgPool2d(kernel, stride, padding) with
// count_include_pad=True: out = Σ_window xpad / (kH·kW).
//
// Gradient: g / (kH·kW) spread over each window.
func AvgPool2D(x *G.Node, kernel, stride, padding [2]int) (out *G.Node, err error) {
	defer panics.Recover(&err, "avgpool2d of %s", x.Name())
	if err := checkPool("avgpool2d", x, kernel, stride, padding); err != nil {
		return nil, err
	}
	out, err = Apply(newAvgPool(x.Shape(), kernel, stride, padding), x)
	return out, errors.Wrapf(err, "avgpool2d of %s %v", x.Name(), x.Shape())
}

func checkPool(what string, x *G.Node, kernel, stride, padding [2]int) error {
	if err := checkFloatNode(what, x); err != nil {
		return err
	}
	xs := x.Shape()
	if xs.Dims() != 4 {
		return errors.Errorf("%s: x must be [N, C, H, W], got %v", what, xs)
	}
	for i := 0; i < 2; i++ {
		if kernel[i] < 1 || stride[i] < 1 || padding[i] < 0 || 2*padding[i] > kernel[i] || xs[2+i]+2*padding[i] < kernel[i] {
			return errors.Errorf("%s: kernel %v, stride %v, padding %v do not fit %v", what, kernel, stride, padding, xs)
		}
	}
	return nil
}

// FusedMaxPool2D is MaxPool2D (PyTorch's MaxPool2d(kernel, stride), no
// padding) as a symgrad op with a preallocated output:
// y[n, c, i, j] = max_{u<kH, v<kW} x[n, c, i·sH+u, j·sW+v], the first
// maximum of each window in row-major order (a NaN wins, as in PyTorch).
//
// Gradient: dx = MaxPool2DScatter(x, g), g added at each window's argmax.
func FusedMaxPool2D(x *G.Node, kernel, stride [2]int) (*G.Node, error) {
	return MaxPool2DPadded(x, kernel, stride, [2]int{})
}

// MaxPool2DPadded is PyTorch's MaxPool2d(kernel, stride, padding): the
// max-pool of x padded with -∞ (pH rows above and below, pW columns left
// and right; 2·padding <= kernel), output [N, C, (H + 2pH - kH)/sH + 1,
// (W + 2pW - kW)/sW + 1]. Each window's maximum is taken over its
// elements inside x, the first in row-major order (a NaN wins).
//
// Gradient: dx = MaxPool2DPaddedScatter(x, g), g added at each window's
// argmax.
func MaxPool2DPadded(x *G.Node, kernel, stride, padding [2]int) (out *G.Node, err error) {
	defer panics.Recover(&err, "fused maxpool2d of %s", x.Name())
	if err := checkPool("fused maxpool2d", x, kernel, stride, padding); err != nil {
		return nil, err
	}
	out, err = Apply(&poolOp{geom: newPaddedPoolGeom(x.Shape(), kernel, stride, padding), kind: poolMax}, x)
	return out, errors.Wrapf(err, "fused maxpool2d of %s %v", x.Name(), x.Shape())
}

// MaxPool2DScatter adds g [N, C, oH, oW] at the argmax of each max-pooling
// window of x [N, C, H, W] (zero elsewhere): the gradient of
// FusedMaxPool2D. It is linear in g and not differentiated in x (the
// argmax is piecewise constant).
//
// Gradient: dg = MaxPool2DGather(x, H).
func MaxPool2DScatter(x, g *G.Node, kernel, stride [2]int) (*G.Node, error) {
	return MaxPool2DPaddedScatter(x, g, kernel, stride, [2]int{})
}

// MaxPool2DGather picks h [N, C, H, W] at the argmax of each max-pooling
// window of x: out [N, C, oH, oW] (MaxPool2DScatter's adjoint; with h = x
// it is the max-pool). Not differentiated in x.
//
// Gradient: dh = MaxPool2DScatter(x, G).
func MaxPool2DGather(x, h *G.Node, kernel, stride [2]int) (*G.Node, error) {
	return MaxPool2DPaddedGather(x, h, kernel, stride, [2]int{})
}

// MaxPool2DPaddedScatter is MaxPool2DScatter for MaxPool2DPadded's
// windows: the gradient of MaxPool2DPadded.
//
// Gradient: dg = MaxPool2DPaddedGather(x, H).
func MaxPool2DPaddedScatter(x, g *G.Node, kernel, stride, padding [2]int) (*G.Node, error) {
	return applyPool(x, g, kernel, stride, padding, poolScatter)
}

// MaxPool2DPaddedGather is MaxPool2DGather for MaxPool2DPadded's windows.
//
// Gradient: dh = MaxPool2DPaddedScatter(x, G).
func MaxPool2DPaddedGather(x, h *G.Node, kernel, stride, padding [2]int) (*G.Node, error) {
	return applyPool(x, h, kernel, stride, padding, poolGather)
}

func applyPool(x, v *G.Node, kernel, stride, padding [2]int, kind poolKind) (out *G.Node, err error) {
	defer panics.Recover(&err, "max-pool %s", kind)
	if err := checkPool("maxpool2d "+kind.String(), x, kernel, stride, padding); err != nil {
		return nil, err
	}
	op := &poolOp{geom: newPaddedPoolGeom(x.Shape(), kernel, stride, padding), kind: kind}
	if d := op.dims(1); !equalDims(v.Shape(), d[:]) || v.Dtype() != x.Dtype() {
		return nil, errors.Errorf("%v: %s is %v %v, want %v %v", op, v.Name(), v.Dtype(), v.Shape(), x.Dtype(), d)
	}
	out, err = Apply(op, x, v)
	return out, errors.Wrapf(err, "%v of %s %v and %s %v", op, x.Name(), x.Shape(), v.Name(), v.Shape())
}

// poolGeom is a max-pool's geometry: x [N,C,H,W], y [N,C,OH,OW], padding
// PH, PW.
type poolGeom = kernels.Pool

func newPaddedPoolGeom(xs tensor.Shape, kernel, stride, padding [2]int) poolGeom {
	return poolGeom{N: xs[0], C: xs[1], H: xs[2], W: xs[3], KH: kernel[0], KW: kernel[1], SH: stride[0], SW: stride[1],
		PH: padding[0], PW: padding[1],
		OH: (xs[2]+2*padding[0]-kernel[0])/stride[0] + 1, OW: (xs[3]+2*padding[1]-kernel[1])/stride[1] + 1}
}

func poolXShape(g poolGeom) tensor.Shape { return tensor.Shape{g.N, g.C, g.H, g.W} }

// poolKind says which max-pool map a poolOp is.
type poolKind = kernels.PoolMap

const (
	poolMax     = kernels.PoolMax     // x -> y
	poolScatter = kernels.PoolScatter // (x, g [y]) -> dx [x]
	poolGather  = kernels.PoolGather  // (x, h [x]) -> [y]
)

type poolOp struct {
	opBase
	geom poolGeom
	kind poolKind
}

var (
	_ G.SDOp            = (*poolOp)(nil)
	_ G.UsePreallocDoer = (*poolOp)(nil)
)

// dims returns the shape of value i (the inputs, then the output) without
// allocating.
func (op *poolOp) dims(i int) [4]int {
	g := op.geom
	x, y := [4]int{g.N, g.C, g.H, g.W}, [4]int{g.N, g.C, g.OH, g.OW}
	switch op.kind {
	case poolScatter:
		return [3][4]int{x, y, x}[i]
	case poolGather:
		return [3][4]int{x, x, y}[i]
	}
	return [3][4]int{x, y}[i]
}

func (op *poolOp) Arity() int {
	if op.kind == poolMax {
		return 1
	}
	return 2
}
func (op *poolOp) Type() hm.Type {
	t := G.TensorType{Dims: 4, Of: hm.TypeVariable('a')}
	if op.kind == poolMax {
		return hm.NewFnType(t, t)
	}
	return hm.NewFnType(t, t, t)
}
func (op *poolOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	d := op.dims(op.Arity())
	return tensor.Shape(d[:]).Clone(), nil
}
func (op *poolOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) == 0 {
		return nil, errors.Errorf("%v: no inputs", op)
	}
	d := op.dims(op.Arity())
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(d[:]...)), vs...)
}

// UsePreallocDo writes the op's result into prealloc.
func (op *poolOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	nIn := op.Arity()
	if len(vs) != nIn {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, nIn, len(vs))
	}
	var ds [3]*tensor.Dense
	for i := 0; i <= nIn; i++ {
		v := prealloc
		if i < nIn {
			v = vs[i]
		}
		d, err := denseOfDims(v, vs[0].Dtype())
		want := op.dims(i)
		if err != nil || !equalDims(d.Shape(), want[:]) {
			return nil, errors.Errorf("%v: value %d is %v, want %v of one float dtype (%v)", op, i, v.Shape(), want, err)
		}
		ds[i] = d
	}
	x, v, out := ds[0], ds[len(vs)-1], ds[len(vs)]
	switch x.Dtype() {
	case tensor.Float64:
		kernels.MaxPool(&op.geom, op.kind, x.Float64s(), v.Float64s(), out.Float64s())
	case tensor.Float32:
		kernels.MaxPool(&op.geom, op.kind, x.Float32s(), v.Float32s(), out.Float32s())
	default:
		return nil, errors.Errorf("%v: dtype %v, want float64 or float32", op, x.Dtype())
	}
	return prealloc, nil
}

func (op *poolOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *poolOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindMaxPool2d is the kind of FusedMaxPool2D and its scatter and gather maps (Label says which).
	KindMaxPool2d = NewKind("maxpool2d")
)

// Identity is KindMaxPool2d (its name says forward, scatter or gather).
func (op *poolOp) Identity() Identity { return Identity{Kind: KindMaxPool2d} }

func (op *poolOp) String() string {
	g := op.geom
	if g.PH != 0 || g.PW != 0 {
		return fmt.Sprintf("maxpool2d%s(x=%v,k=%v,s=%v,p=%v)", op.kind, poolXShape(g), [2]int{g.KH, g.KW}, [2]int{g.SH, g.SW}, [2]int{g.PH, g.PW})
	}
	return fmt.Sprintf("maxpool2d%s(x=%v,k=%v,s=%v)", op.kind, poolXShape(g), [2]int{g.KH, g.KW}, [2]int{g.SH, g.SW})
}
func (op *poolOp) DiffWRT(int) []bool {
	if op.kind == poolMax {
		return []bool{true}
	}
	return []bool{false, true}
}

// SymDiff: max and gather have the gradient scatter(x, g); scatter has
// gather(x, g). The argmax input x gets none.
func (op *poolOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	k, s, p := [2]int{op.geom.KH, op.geom.KW}, [2]int{op.geom.SH, op.geom.SW}, [2]int{op.geom.PH, op.geom.PW}
	switch op.kind {
	case poolMax:
		d, err := MaxPool2DPaddedScatter(in[0], g, k, s, p)
		return G.Nodes{d}, errors.Wrapf(err, "gradient of %v", op)
	case poolGather:
		d, err := MaxPool2DPaddedScatter(in[0], g, k, s, p)
		return G.Nodes{nil, d}, errors.Wrapf(err, "gradient of %v", op)
	}
	d, err := MaxPool2DPaddedGather(in[0], g, k, s, p)
	return G.Nodes{nil, d}, errors.Wrapf(err, "gradient of %v", op)
}

// avgPoolOp is average pooling with count_include_pad (a linear map A);
// with adjoint=true it is Aᵀ, spreading g / (kH·kW) over each window. A
// and Aᵀ are each other's gradient.
//
// Gorgonia's AveragePool2D gives a wrong gradient with padding and stride
// (TestAvgPool2DGradientWithPadding), so symgrad has its own.
type avgPoolOp struct {
	unaryBase
	in, out             tensor.Shape // x [N,C,H,W] and pooled [N,C,oH,oW]
	kernel, stride, pad [2]int
	adjoint             bool
}

func newAvgPool(xs tensor.Shape, kernel, stride, pad [2]int) *avgPoolOp {
	oh := (xs[2]+2*pad[0]-kernel[0])/stride[0] + 1
	ow := (xs[3]+2*pad[1]-kernel[1])/stride[1] + 1
	return &avgPoolOp{in: xs.Clone(), out: tensor.Shape{xs[0], xs[1], oh, ow}, kernel: kernel, stride: stride, pad: pad}
}

func (op *avgPoolOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := G.TensorType{Dims: 4, Of: a}
	return hm.NewFnType(t, t)
}
func (op *avgPoolOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	if op.adjoint {
		return op.in.Clone(), nil
	}
	return op.out.Clone(), nil
}
func (op *avgPoolOp) Do(vs ...G.Value) (G.Value, error) {
	src, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	x, y := op.in, op.out
	res := make([]float64, x.TotalSize())
	if !op.adjoint {
		res = make([]float64, y.TotalSize())
	}
	scale := 1 / float64(op.kernel[0]*op.kernel[1])
	for nc := 0; nc < x[0]*x[1]; nc++ {
		for i := 0; i < y[2]; i++ {
			for j := 0; j < y[3]; j++ {
				yi := (nc*y[2]+i)*y[3] + j
				for u := 0; u < op.kernel[0]; u++ {
					r := i*op.stride[0] + u - op.pad[0]
					if r < 0 || r >= x[2] {
						continue
					}
					for v := 0; v < op.kernel[1]; v++ {
						c := j*op.stride[1] + v - op.pad[1]
						if c < 0 || c >= x[3] {
							continue
						}
						xi := (nc*x[2]+r)*x[3] + c
						if op.adjoint {
							res[xi] += src[yi] * scale
						} else {
							res[yi] += src[xi] * scale
						}
					}
				}
			}
		}
	}
	shape := op.out
	if op.adjoint {
		shape = op.in
	}
	return valueOf(res, shape, dtypeOf(vs[0]))
}
func (op *avgPoolOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *avgPoolOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindAvgPool2d is the kind of the average pool and its adjoint.
	KindAvgPool2d = NewKind("avgpool2d")
)

// Identity is KindAvgPool2d.
func (op *avgPoolOp) Identity() Identity { return Identity{Kind: KindAvgPool2d} }

func (op *avgPoolOp) String() string {
	return fmt.Sprintf("avgpool2d(in=%v,k=%v,s=%v,p=%v,adjoint=%v)", op.in, op.kernel, op.stride, op.pad, op.adjoint)
}

// SymDiff is the adjoint map applied to g.
func (op *avgPoolOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	adj := *op
	adj.adjoint = !op.adjoint
	gx, err := Apply(&adj, g)
	return G.Nodes{gx}, err
}

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

// Registry entries of the pooling ops: 2-D (Gorgonia's max pool, symgrad's
// average pool and fused max pool with its scatter and gather) and 1-D.

// poolParams reads a 2-D pool's kernel (default 2x2), stride (default the
// kernel) and padding (default 0) from p.
func poolParams(what string, p []float64) (k, s, pd [2]int, err error) {
	if k, err = pair(what, p, 0, [2]int{2, 2}); err != nil {
		return k, k, k, err
	}
	if s, err = pair(what, p, 2, k); err != nil {
		return k, s, s, err
	}
	pd, err = pair(what, p, 4, [2]int{})
	return k, s, pd, err
}

// pool2DBuild is the Build of the 2-D pool spec named what: poolParams,
// then f.
func pool2DBuild(what string, f func(n []*G.Node, k, s, pd [2]int) (*G.Node, error)) func([]*G.Node, []float64) (*G.Node, error) {
	return func(n []*G.Node, p []float64) (*G.Node, error) {
		k, s, pd, err := poolParams(what, p)
		if err != nil {
			return nil, err
		}
		return f(n, k, s, pd)
	}
}

// pool1DBuild is the Build of the 1-D pool spec named what: its kernel
// (default 2), stride (default the kernel) and padding (default 0), then
// f.
func pool1DBuild(what string, f func(*G.Node, int, int, int) (*G.Node, error)) func([]*G.Node, []float64) (*G.Node, error) {
	return func(n []*G.Node, p []float64) (*G.Node, error) {
		q, err := intParams(what, p)
		if err != nil {
			return nil, err
		}
		if len(q) < 3 {
			q = append(q, []int{2, 0, 0}[len(q):]...) // kernel, stride (0: the kernel), padding
		}
		if q[1] == 0 {
			q[1] = q[0]
		}
		return f(n[0], q[0], q[1], q[2])
	}
}

func init() {
	Register(&Spec{Name: "maxpool2d", Family: "conv",
		Forward:  "maxpool2d(x, kH, kW, sH, sW)[n,c,i,j] = max_{u<kH,v<kW} x[n,c,i·sH+u,j·sW+v] (stride defaults to the kernel)",
		Gradient: "g at each window's argmax, 0 elsewhere",
		Notes:    "No padding. Not differentiable where a window's maximum is tied.",
		Build: pool2DBuild("maxpool2d", func(n []*G.Node, k, s, _ [2]int) (*G.Node, error) {
			return MaxPool2D(n[0], k, s)
		}),
		MinNodes: 1, MaxNodes: 1, MaxParams: 4,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 4, 6}, Domain: Real}}, Params: []float64{2, 2, 2, 2}},
		Dtypes:  floats, TwiceDifferentiable: false})
	Register(&Spec{Name: "avgpool2d", Family: "conv",
		Forward:  "avgpool2d(x, kH, kW, sH, sW, pH, pW) = Σ_window xpad / (kH·kW) (count_include_pad; stride defaults to the kernel)",
		Gradient: "g / (kH·kW) spread over each window",
		Notes:    "symgrad op: Gorgonia's AveragePool2D gradient is wrong with padding and stride. PyTorch AvgPool2d with count_include_pad=True.",
		Build: pool2DBuild("avgpool2d", func(n []*G.Node, k, s, pd [2]int) (*G.Node, error) {
			return AvgPool2D(n[0], k, s, pd)
		}),
		MinNodes: 1, MaxNodes: 1, MaxParams: 6,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 5, 5}, Domain: Real}}, Params: []float64{3, 3, 2, 2, 1, 1}},
		Dtypes:  floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "fusedmaxpool2d", Family: "fused",
		Reference: pool2DBuild("fusedmaxpool2d", func(n []*G.Node, k, s, pd [2]int) (*G.Node, error) {
			return G.MaxPool2D(n[0], tensor.Shape{k[0], k[1]}, pd[:], s[:])
		}),
		ReferenceOf: "Gorgonia's MaxPool2D (padding outside every window's maximum)",
		Forward:     "fusedmaxpool2d(x, kH, kW, sH, sW, pH, pW)[n,c,i,j] = max_{u<kH,v<kW} xpad[n,c,i·sH+u,j·sW+v], xpad padded with -∞ (stride defaults to the kernel, padding to 0)",
		Gradient:    "dx = maxpool2dscatter(x, g): g at each window's argmax",
		Notes:       "symgrad op, PyTorch's MaxPool2d(kernel, stride, padding) (2·padding <= kernel); preallocated output; the first maximum of a window wins (a NaN wins, as in PyTorch). Not differentiable where a window's maximum is tied.",
		Build: pool2DBuild("fusedmaxpool2d", func(n []*G.Node, k, s, pd [2]int) (*G.Node, error) {
			return MaxPool2DPadded(n[0], k, s, pd)
		}),
		MinNodes: 1, MaxNodes: 1, MaxParams: 6,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 5, 6}, Domain: Real}}, Params: []float64{3, 2, 2, 2, 1, 1}},
		Dtypes:  floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "maxpool2dscatter", Family: "fused",
		Forward:  "maxpool2dscatter(x, g, kH, kW, sH, sW, pH, pW) = g added at the argmax of each window of x (0 elsewhere)",
		Gradient: "dg = maxpool2dgather(x, h); x is not differentiated",
		Notes:    "symgrad op: fusedmaxpool2d's gradient, linear in g.",
		Build: pool2DBuild("maxpool2dscatter", func(n []*G.Node, k, s, pd [2]int) (*G.Node, error) {
			return MaxPool2DPaddedScatter(n[0], n[1], k, s, pd)
		}),
		MinNodes: 2, MaxNodes: 2, MaxParams: 6,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 5, 6}, Domain: Real, NoGrad: true},
			{Name: "g", Shape: []int{2, 2, 3, 4}, Domain: Real}}, Params: []float64{3, 2, 2, 2, 1, 1}},
		Dtypes: floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "maxpool2dgather", Family: "fused",
		Forward:  "maxpool2dgather(x, h, kH, kW, sH, sW, pH, pW)[n,c,i,j] = h at the argmax of window (i, j) of x",
		Gradient: "dh = maxpool2dscatter(x, g); x is not differentiated",
		Notes:    "symgrad op: the adjoint of maxpool2dscatter, linear in h.",
		Build: pool2DBuild("maxpool2dgather", func(n []*G.Node, k, s, pd [2]int) (*G.Node, error) {
			return MaxPool2DPaddedGather(n[0], n[1], k, s, pd)
		}),
		MinNodes: 2, MaxNodes: 2, MaxParams: 6,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 5, 6}, Domain: Real, NoGrad: true},
			{Name: "h", Shape: []int{2, 2, 5, 6}, Domain: Real}}, Params: []float64{3, 2, 2, 2, 1, 1}},
		Dtypes: floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "maxpool1d", Family: "conv1d",
		Forward:  "maxpool1d(x, K, s, p)[n,c,j] = max_{k<K} xpad[n,c,j·s+k], xpad padded with -∞ (stride defaults to K, padding to 0; 2p <= K)",
		Gradient: "g at each window's argmax, 0 elsewhere (maxpool2dscatter over x viewed as [N,C,1,L])",
		Notes:    "PyTorch's MaxPool1d(kernel, stride, padding): fusedmaxpool2d on [N,C,1,L]. Not differentiable where a window's maximum is tied.",
		Build:    pool1DBuild("maxpool1d", MaxPool1D),
		MinNodes: 1, MaxNodes: 1, MaxParams: 3,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 3, 9}, Domain: Real}}, Params: []float64{3, 2, 1}},
		Dtypes:  floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "avgpool1d", Family: "conv1d",
		Forward:  "avgpool1d(x, K, s, p)[n,c,j] = Σ_{k<K} xpad[n,c,j·s+k] / K, xpad zero-padded (count_include_pad; stride defaults to K, padding to 0)",
		Gradient: "g / K spread over each window, padding dropped",
		Notes:    "PyTorch's AvgPool1d(kernel, stride, padding) with count_include_pad=True: avgpool2d on [N,C,1,L].",
		Build:    pool1DBuild("avgpool1d", AvgPool1D),
		MinNodes: 1, MaxNodes: 1, MaxParams: 3,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 3, 9}, Domain: Real}}, Params: []float64{3, 2, 1}},
		Dtypes:  floats, TwiceDifferentiable: true})
}
