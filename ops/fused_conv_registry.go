package ops

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Registry entries of the fused conv and max-pool ops (fused_conv.go,
// fused_conv_chan.go, fused_pool.go).

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
	registerFusedPools()
}

// poolParams reads a pool's kernel (default 2x2), stride (default the
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

func registerFusedPools() {
	Register(&Spec{Name: "fusedmaxpool2d", Family: "fused",
		Reference: refMaxPool2D, ReferenceOf: "Gorgonia's MaxPool2D (padding outside every window's maximum)",
		Forward:  "fusedmaxpool2d(x, kH, kW, sH, sW, pH, pW)[n,c,i,j] = max_{u<kH,v<kW} xpad[n,c,i·sH+u,j·sW+v], xpad padded with -∞ (stride defaults to the kernel, padding to 0)",
		Gradient: "dx = maxpool2dscatter(x, g): g at each window's argmax",
		Notes:    "symgrad op, PyTorch's MaxPool2d(kernel, stride, padding) (2·padding <= kernel); preallocated output; the first maximum of a window wins (a NaN wins, as in PyTorch). Not differentiable where a window's maximum is tied.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			k, s, pd, err := poolParams("fusedmaxpool2d", p)
			if err != nil {
				return nil, err
			}
			return MaxPool2DPadded(n[0], k, s, pd)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 6,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 5, 6}, Domain: Real}}, Params: []float64{3, 2, 2, 2, 1, 1}},
		Dtypes:  floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "maxpool2dscatter", Family: "fused",
		Forward:  "maxpool2dscatter(x, g, kH, kW, sH, sW, pH, pW) = g added at the argmax of each window of x (0 elsewhere)",
		Gradient: "dg = maxpool2dgather(x, h); x is not differentiated",
		Notes:    "symgrad op: fusedmaxpool2d's gradient, linear in g.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			k, s, pd, err := poolParams("maxpool2dscatter", p)
			if err != nil {
				return nil, err
			}
			return MaxPool2DPaddedScatter(n[0], n[1], k, s, pd)
		},
		MinNodes: 2, MaxNodes: 2, MaxParams: 6,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 5, 6}, Domain: Real, NoGrad: true},
			{Name: "g", Shape: []int{2, 2, 3, 4}, Domain: Real}}, Params: []float64{3, 2, 2, 2, 1, 1}},
		Dtypes: floats, TwiceDifferentiable: true})
	Register(&Spec{Name: "maxpool2dgather", Family: "fused",
		Forward:  "maxpool2dgather(x, h, kH, kW, sH, sW, pH, pW)[n,c,i,j] = h at the argmax of window (i, j) of x",
		Gradient: "dh = maxpool2dscatter(x, g); x is not differentiated",
		Notes:    "symgrad op: the adjoint of maxpool2dscatter, linear in h.",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			k, s, pd, err := poolParams("maxpool2dgather", p)
			if err != nil {
				return nil, err
			}
			return MaxPool2DPaddedGather(n[0], n[1], k, s, pd)
		},
		MinNodes: 2, MaxNodes: 2, MaxParams: 6,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 2, 5, 6}, Domain: Real, NoGrad: true},
			{Name: "h", Shape: []int{2, 2, 5, 6}, Domain: Real}}, Params: []float64{3, 2, 2, 2, 1, 1}},
		Dtypes: floats, TwiceDifferentiable: true})
}

// refConv2D is fusedconv2d as Gorgonia's Conv2d plus the bias (Conv2D).
func refConv2D(n []*G.Node, p []float64) (*G.Node, error) {
	q, err := convParams("fusedconv2d", p, []int{1, 1, 0, 0})
	if err != nil {
		return nil, err
	}
	return Conv2D(n[0], n[1], n[2], [2]int{q[0], q[1]}, [2]int{q[2], q[3]})
}

// refMaxPool2D is fusedmaxpool2d as Gorgonia's MaxPool2D, whose padding
// takes no part in a window's maximum (the -∞ padding of PyTorch).
func refMaxPool2D(n []*G.Node, p []float64) (*G.Node, error) {
	k, s, pd, err := poolParams("fusedmaxpool2d", p)
	if err != nil {
		return nil, err
	}
	return G.MaxPool2D(n[0], tensor.Shape{k[0], k[1]}, pd[:], s[:])
}

// refChannelSum is channelsum as Gorgonia's Sum over every axis but 1.
func refChannelSum(n []*G.Node, _ []float64) (*G.Node, error) {
	axes := []int{0}
	for a := 2; a < n[0].Dims(); a++ {
		axes = append(axes, a)
	}
	return G.Sum(n[0], axes...)
}
