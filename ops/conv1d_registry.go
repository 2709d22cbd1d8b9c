package ops

import (
	G "gorgonia.org/gorgonia"
)

// Registry entries of the 1-D conv and pooling ops (conv1d.go, pool1d.go).

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
