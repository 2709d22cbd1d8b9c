package ops

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
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
	Register(&Spec{
		Name: "maxpool2d", Family: "conv",
		Forward:  "maxpool2d(x, kH, kW, sH, sW)[n,c,i,j] = max_{u<kH,v<kW} x[n,c,i·sH+u,j·sW+v] (stride defaults to the kernel)",
		Gradient: "g at each window's argmax, 0 elsewhere",
		Notes:    "No padding. Not differentiable where a window's maximum is tied.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			k, err := pair("maxpool2d", p, 0, [2]int{2, 2})
			if err != nil {
				return nil, err
			}
			s, err := pair("maxpool2d", p, 2, k)
			if err != nil {
				return nil, err
			}
			return MaxPool2D(n[0], k, s)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 4,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 4, 6}, Domain: Real}}, Params: []float64{2, 2, 2, 2}},
		Dtypes:  floats, TwiceDifferentiable: false,
	})
	Register(&Spec{
		TwiceDifferentiable: true,
		Name:                "avgpool2d", Family: "conv",
		Forward:  "avgpool2d(x, kH, kW, sH, sW, pH, pW) = Σ_window xpad / (kH·kW) (count_include_pad; stride defaults to the kernel)",
		Gradient: "g / (kH·kW) spread over each window",
		Notes:    "symgrad op: Gorgonia's AveragePool2D gradient is wrong with padding and stride. PyTorch AvgPool2d with count_include_pad=True.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			k, err := pair("avgpool2d", p, 0, [2]int{2, 2})
			if err != nil {
				return nil, err
			}
			s, err := pair("avgpool2d", p, 2, k)
			if err != nil {
				return nil, err
			}
			pd, err := pair("avgpool2d", p, 4, [2]int{0, 0})
			if err != nil {
				return nil, err
			}
			return AvgPool2D(n[0], k, s, pd)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 6,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 5, 5}, Domain: Real}}, Params: []float64{3, 3, 2, 2, 1, 1}},
		Dtypes:  floats,
	})
}
