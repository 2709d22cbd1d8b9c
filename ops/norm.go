package ops

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
)

// BatchNormStats is the state of a batch-norm layer outside the graph: the
// running statistics (PyTorch's running_mean, running_var,
// num_batches_tracked buffers) and the hyper-parameters.
type BatchNormStats struct {
	RunningMean, RunningVar *tensor.Dense // [C]
	NumBatchesTracked       int64
	Momentum                float64 // running = (1 - Momentum)·running + Momentum·batch
	Eps                     float64 // added to the variance before the square root
	// Sync, when set before the graph is differentiated, averages the
	// batch statistics and their gradients over the shards of a
	// data-parallel step (SyncBatchNorm; see BatchNormSync). nil: this
	// batch alone.
	Sync BatchNormSync
}

// NewBatchNormStats returns the stats of c channels with PyTorch's defaults:
// momentum 0.1, eps 1e-5, running mean 0, running variance 1.
func NewBatchNormStats(c int, dt tensor.Dtype) *BatchNormStats {
	mean := tensor.New(tensor.Of(dt), tensor.WithShape(c))
	vr := tensor.New(tensor.Of(dt), tensor.WithShape(c))
	switch dt {
	case tensor.Float32:
		for i := range vr.Float32s() {
			vr.Float32s()[i] = 1
		}
	default:
		for i := range vr.Float64s() {
			vr.Float64s()[i] = 1
		}
	}
	return &BatchNormStats{RunningMean: mean, RunningVar: vr, Momentum: 0.1, Eps: 1e-5}
}

// BatchNorm normalises x [N, C] or [N, C, H, W] per channel, as PyTorch's
// BatchNorm1d/2d: y = (x - μ)/√(σ² + eps) ⊙ gamma + beta, gamma and beta
// [C] (nil: no affine part).
//
// Training mode: μ and σ² are the batch mean and biased variance over N
// (and H, W); the running statistics are updated with the momentum and the
// UNBIASED variance σ²·n/(n - 1), and NumBatchesTracked is incremented.
// Evaluation mode: μ and σ² are the running statistics. A nil stats means
// fresh NewBatchNormStats.
//
// Gradient: through the composite (mean, centring, variance, inverse
// square root), i.e. the standard batch-norm backward
// dx = (gamma/√(σ²+eps))·(g - mean(g) - x̂·mean(g ⊙ x̂)).
func BatchNorm(x, gamma, beta *G.Node, stats *BatchNormStats) (out *G.Node, err error) {
	defer panics.Recover(&err, "batch norm of %s", x.Name())
	if err := checkFloatNode("batch norm", x); err != nil {
		return nil, err
	}
	if x.Dims() != 2 && x.Dims() != 4 {
		return nil, errors.Errorf("batch norm: %s must be [N, C] or [N, C, H, W], got %v", x.Name(), x.Shape())
	}
	shape := x.Shape().Clone()
	c := shape[1]
	if stats == nil {
		stats = NewBatchNormStats(c, x.Dtype())
	}
	if err := checkStats(stats, c, x.Dtype()); err != nil {
		return nil, err
	}
	axes := []int{0}
	if x.Dims() == 4 {
		axes = []int{0, 2, 3}
	}
	n := shape.TotalSize() / c
	b := &chain{what: "batch norm"}
	stat := func(v *G.Node, kind statKind) *G.Node {
		return b.apply("running statistics", func() (*G.Node, error) {
			return Apply(&bnStatOp{stats: stats, kind: kind, n: n, c: c, training: true}, v)
		})
	}
	toX := func(v *G.Node) *G.Node {
		return b.apply("broadcast", func() (*G.Node, error) { return expandChannels(v, shape) })
	}
	mean := func(v *G.Node) (*G.Node, error) { return meanOver(v, axes) }
	if x.Dims() == 2 { // the same values from preallocated ops (meanRows)
		toX = func(v *G.Node) *G.Node {
			return b.apply("broadcast", func() (*G.Node, error) { return BroadcastRows(v, shape[0]) })
		}
		mean = meanRows
	}
	mu := stat(b.apply("mean", func() (*G.Node, error) { return mean(x) }), statMean)
	xc := b.sub(x, toX(mu))
	sq := b.apply("square", func() (*G.Node, error) { return gorgonia1(G.Square, xc) })
	vr := stat(b.apply("variance", func() (*G.Node, error) { return mean(sq) }), statVar)
	return normalize(b, xc, vr, stats.Eps, toX, gamma, beta, c)
}

// meanRows is G.Mean(x, 0) of a matrix x [N, C] with ColSum for
// Gorgonia's Sum(x, 0): the same graph otherwise (Sum ÷ SizeOf(0, x)) and
// the same bits (both add the rows in order), but the sum and its gradient
// (BroadcastRows, for Gorgonia's reshape and repeat) write into
// preallocated buffers. Its partner for broadcasting [C] back to [N, C] is
// BroadcastRows (ColSum's adjoint), for the expand whose gradient is
// Gorgonia's Sum.
func meanRows(x *G.Node) (*G.Node, error) {
	s, err := ColSum(x)
	if err != nil {
		return nil, err
	}
	n, err := G.SizeOf(0, x)
	if err != nil {
		return nil, err
	}
	return gorgonia2(G.HadamardDiv, s, n)
}

// normalize returns xc ⊙ toX(1/√(vr + eps)) ⊙ toX(gamma) + toX(beta).
func normalize(b *chain, xc, vr *G.Node, eps float64, toX func(*G.Node) *G.Node, gamma, beta *G.Node, c int) (*G.Node, error) {
	if b.err != nil {
		return nil, b.err
	}
	for _, p := range []*G.Node{gamma, beta} {
		if p != nil && (p.Dims() != 1 || p.Shape()[0] != c || p.Dtype() != xc.Dtype()) {
			return nil, errors.Errorf("%s: %s must be %v [%d], got %v %v", b.what, p.Name(), xc.Dtype(), c, p.Dtype(), p.Shape())
		}
	}
	inv := b.apply("inverse square root", func() (*G.Node, error) { return InvSqrt(b.add(vr, scalarLike(vr, eps))) })
	y := b.mul(xc, toX(inv))
	if gamma != nil {
		y = b.mul(y, toX(gamma))
	}
	if beta != nil {
		y = b.add(y, toX(beta))
	}
	return y, b.err
}

// expandChannels broadcasts a [C] node to shape [N, C] or [N, C, H, W].
func expandChannels(v *G.Node, shape tensor.Shape) (*G.Node, error) {
	out, err := expand(v, 0, shape[:2])
	for a := 2; err == nil && a < len(shape); a++ {
		out, err = expand(out, a, shape[:a+1])
	}
	return out, err
}

func checkStats(s *BatchNormStats, c int, dt tensor.Dtype) error {
	for _, t := range []*tensor.Dense{s.RunningMean, s.RunningVar} {
		if t == nil || t.Dims() != 1 || t.Shape()[0] != c || t.Dtype() != dt {
			return errors.Errorf("batch norm: running statistics must be %v [%d]", dt, c)
		}
	}
	if s.Momentum < 0 || s.Momentum > 1 || s.Eps < 0 {
		return errors.Errorf("batch norm: momentum %g must be in [0, 1] and eps %g non-negative", s.Momentum, s.Eps)
	}
	return nil
}

// LayerNorm normalises x over its last axis, as PyTorch's LayerNorm(D):
// y = (x - μ)/√(σ² + eps) ⊙ gamma + beta, μ and σ² (biased) over the last
// axis, gamma and beta [D] (nil: no affine part).
//
// Gradient: through the composite, i.e.
// dx = (gamma/√(σ²+eps))·(g - mean(g) - x̂·mean(g ⊙ x̂)) along the last axis.
func LayerNorm(x, gamma, beta *G.Node, eps float64) (out *G.Node, err error) {
	defer panics.Recover(&err, "layer norm of %s", x.Name())
	if err := checkFloatNode("layer norm", x); err != nil {
		return nil, err
	}
	if x.Dims() < 1 || eps < 0 {
		return nil, errors.Errorf("layer norm: %s %v needs rank >= 1 and eps >= 0 (got %g)", x.Name(), x.Shape(), eps)
	}
	shape := x.Shape().Clone()
	last := len(shape) - 1
	d := shape[last]
	b := &chain{what: "layer norm"}
	rows := func(v *G.Node) *G.Node {
		return b.apply("broadcast", func() (*G.Node, error) { return expand(v, last, shape) })
	}
	feats := func(v *G.Node) *G.Node {
		return b.apply("broadcast", func() (*G.Node, error) {
			out, err := v, error(nil)
			for a := 0; err == nil && a < last; a++ {
				out, err = expand(out, a, append(shape[:a+1].Clone(), shape[last]))
			}
			return out, err
		})
	}
	mean := b.apply("mean", func() (*G.Node, error) { return meanOver(x, []int{last}) })
	if x.Dims() == 1 {
		return nil, errors.Errorf("layer norm: %s must have a batch axis, got %v", x.Name(), x.Shape())
	}
	xc := b.sub(x, rows(mean))
	vr := b.apply("variance", func() (*G.Node, error) {
		return meanOver(b.apply("square", func() (*G.Node, error) { return gorgonia1(G.Square, xc) }), []int{last})
	})
	if b.err != nil {
		return nil, b.err
	}
	inv := b.apply("inverse square root", func() (*G.Node, error) { return InvSqrt(b.add(vr, scalarLike(vr, eps))) })
	y := b.mul(xc, rows(inv))
	for _, p := range []*G.Node{gamma, beta} {
		if p != nil && (p.Dims() != 1 || p.Shape()[0] != d || p.Dtype() != x.Dtype()) {
			return nil, errors.Errorf("layer norm: %s must be %v [%d], got %v %v", p.Name(), x.Dtype(), d, p.Dtype(), p.Shape())
		}
	}
	if gamma != nil {
		y = b.mul(y, feats(gamma))
	}
	if beta != nil {
		y = b.add(y, feats(beta))
	}
	return y, b.err
}
