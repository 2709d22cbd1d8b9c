package models

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// BatchNorm is PyTorch's nn.BatchNorm1d (input [B, C]) and nn.BatchNorm2d
// (input [B, C, H, W]) with affine=True and track_running_stats=True:
//
//	y = (x - mean) / sqrt(var + eps) * weight + bias
//
// per channel, where training mode uses the batch's mean and biased variance
// and updates the running statistics (running = (1-momentum) running +
// momentum batch, with the unbiased batch variance), and evaluation mode
// uses the running statistics. The train/eval switch is the compiler's: a
// training run uses batch statistics, an evaluation or inference run the
// running ones.
type BatchNorm struct {
	Name         string
	Channels     int
	Weight, Bias *G.Node // <name>.weight (init 1), <name>.bias (init 0), [C]
	Stats        *ops.BatchNormStats
}

// NewBatchNorm adds a BatchNorm layer for c channels to g: weight 1, bias 0,
// running_mean 0, running_var 1, num_batches_tracked 0, momentum 0.1,
// eps 1e-5 (PyTorch's defaults).
func NewBatchNorm(g *G.ExprGraph, name string, c int, dt tensor.Dtype) (b *BatchNorm, err error) {
	defer panics.Recover(&err, "batchnorm %q", name)
	if c <= 0 {
		return nil, errors.Errorf("batchnorm %q: channels must be positive, got %d", name, c)
	}
	b = &BatchNorm{Name: name, Channels: c}
	p := newLayerParams(g, "batchnorm", name, dt, nil)
	if b.Weight, b.Bias = p.ones("weight", c), p.zeros("bias", c); p.err != nil {
		return nil, p.err
	}
	b.Stats = ops.NewBatchNormStats(c, dt)
	return b, nil
}

// Forward normalises x of shape [B, C] or [B, C, H, W].
func (b *BatchNorm) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "batchnorm %q", b.Name)
	if (x.Dims() != 2 && x.Dims() != 4) || x.Shape()[1] != b.Channels {
		return nil, errors.Errorf("batchnorm %q: input %q has shape %v, want [batch, %d] or [batch, %d, H, W]", b.Name, x.Name(), x.Shape(), b.Channels, b.Channels)
	}
	y, err = ops.BatchNorm(x, b.Weight, b.Bias, b.Stats)
	return y, errors.Wrapf(err, "batchnorm %q on input of shape %v", b.Name, x.Shape())
}

// Params returns the weight and the bias, in state_dict order.
func (b *BatchNorm) Params() []*G.Node { return []*G.Node{b.Weight, b.Bias} }

// Buffers returns running_mean, running_var and num_batches_tracked (a 0-d
// int64), in state_dict order.
func (b *BatchNorm) Buffers() []*Buffer {
	return []*Buffer{
		tensorBuffer(b.Name+".running_mean", b.Stats.RunningMean),
		tensorBuffer(b.Name+".running_var", b.Stats.RunningVar),
		countBuffer(b.Name+".num_batches_tracked", &b.Stats.NumBatchesTracked),
	}
}

// Dropout is PyTorch's nn.Dropout(p): in training mode each element is
// zeroed with probability p and the rest scaled by 1/(1-p); in evaluation
// mode it is the identity. The mask stream is drawn from Seed.
type Dropout struct {
	stateless
	P    float64
	Seed uint64
}

// NewDropout returns a dropout layer with drop probability p in [0, 1).
func NewDropout(p float64, seed uint64) (*Dropout, error) {
	if !(p >= 0 && p < 1) { // NaN too
		return nil, errors.Errorf("dropout: probability %g is outside [0, 1)", p)
	}
	return &Dropout{P: p, Seed: seed}, nil
}

// Forward applies dropout to x.
func (d *Dropout) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "dropout p=%g", d.P)
	y, err = ops.Dropout(x, d.P, d.Seed)
	return y, errors.Wrapf(err, "dropout p=%g on input of shape %v", d.P, x.Shape())
}
