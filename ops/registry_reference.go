package ops

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The reference versions of fused ops (Spec.Reference): each builds the
// fused op's function from Gorgonia's own ops, with the fused op's
// arguments, so that gradcheck can compare the two on the registry's
// example. They are never what a layer or the compiler runs.

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

// refLinear is linear as x·Wᵀ + b: Gorgonia's Transpose, Mul and
// BroadcastAdd.
func refLinear(n []*G.Node, _ []float64) (*G.Node, error) {
	wt, err := G.Transpose(n[1])
	if err != nil {
		return nil, err
	}
	xw, err := G.Mul(n[0], wt)
	if err != nil {
		return nil, err
	}
	return G.BroadcastAdd(xw, n[2], nil, []byte{0})
}

// refGemm is gemm as Gorgonia's Mul of the (transposed) operands.
func refGemm(n []*G.Node, p []float64) (*G.Node, error) {
	a, b := n[0], n[1]
	var err error
	if len(p) > 0 && p[0] != 0 {
		if a, err = G.Transpose(a); err != nil {
			return nil, err
		}
	}
	if len(p) > 1 && p[1] != 0 {
		if b, err = G.Transpose(b); err != nil {
			return nil, err
		}
	}
	return G.Mul(a, b)
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

// refColSum is colsum as Gorgonia's Sum along axis 0.
func refColSum(n []*G.Node, _ []float64) (*G.Node, error) { return G.Sum(n[0], 0) }

// refChannelSum is channelsum as Gorgonia's Sum over every axis but 1.
func refChannelSum(n []*G.Node, _ []float64) (*G.Node, error) {
	axes := []int{0}
	for a := 2; a < n[0].Dims(); a++ {
		axes = append(axes, a)
	}
	return G.Sum(n[0], axes...)
}

// refTimeStep is timestep as Gorgonia's Slice of step t on axis 1.
func refTimeStep(n []*G.Node, p []float64) (*G.Node, error) {
	t := 1
	if len(p) > 0 {
		t = int(p[0])
	}
	return G.Slice(n[0], nil, G.S(t))
}
