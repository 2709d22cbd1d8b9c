package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
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
	b, axes, stat, toX := batchNormParts(x, stats, Apply)
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

// batchNormParts are what BatchNorm's graph is built from (and
// BatchNormExpand's, the tests' older build): the chain, the reduced axes
// of x [N, C] or [N, C, H, W], the running statistic of a mean (its op
// applied by apply) and the broadcast of a [C] back to x's shape.
func batchNormParts(x *G.Node, stats *BatchNormStats, apply func(G.Op, ...*G.Node) (*G.Node, error)) (
	b *chain, axes []int, stat func(*G.Node, statKind) *G.Node, toX func(*G.Node) *G.Node) {
	shape := x.Shape().Clone()
	c := shape[1]
	axes = []int{0}
	if x.Dims() == 4 {
		axes = []int{0, 2, 3}
	}
	n := shape.TotalSize() / c
	b = &chain{what: "batch norm"}
	stat = func(v *G.Node, kind statKind) *G.Node {
		return b.apply("running statistics", func() (*G.Node, error) {
			return apply(&bnStatOp{stats: stats, kind: kind, n: n, c: c, training: true}, v)
		})
	}
	toX = func(v *G.Node) *G.Node {
		return b.apply("broadcast", func() (*G.Node, error) { return expandChannels(v, shape) })
	}
	return b, axes, stat, toX
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

// statKind says which running statistic a bnStatOp tracks.
type statKind int

const (
	statMean statKind = iota
	statVar
)

// bnStatOp passes a batch statistic [C] through in training mode, updating
// the running statistic as a side effect (the mean op also counts the
// batch); in evaluation mode it outputs the running statistic instead.
// Its gradient is the identity (it is only differentiated in training).
type bnStatOp struct {
	unaryBase
	stats    *BatchNormStats
	kind     statKind
	n, c     int // elements per channel, channels
	training bool
	out      *tensor.Dense // the output buffer, reused (see Do)
}

var _ G.TrainModeOp = (*bnStatOp)(nil)

// SetTraining switches between batch statistics (training) and running
// statistics (evaluation).
func (op *bnStatOp) SetTraining(training bool) error { op.training = training; return nil }

func (op *bnStatOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 1, Of: a}, G.TensorType{Dims: 1, Of: a})
}
func (op *bnStatOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.Shape{op.c}, nil }
func (op *bnStatOp) running() *tensor.Dense {
	if op.kind == statMean {
		return op.stats.RunningMean
	}
	return op.stats.RunningVar
}

// Do outputs the batch statistic (training; the running statistic is
// updated) or the running statistic (evaluation) in a buffer of the op's
// own, reused by every run: the update must run exactly once per step, so
// the op has no UsePreallocDo (the executor's first run would call both).
func (op *bnStatOp) Do(vs ...G.Value) (G.Value, error) {
	run := op.running()
	out := op.outBuffer(run.Dtype())
	if !op.training {
		floatdense.Copy(out, run)
		return out, nil
	}
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	if total := op.n * op.stats.shards(); op.kind == statVar && total < 2 {
		return nil, errors.Errorf("batch norm: training needs more than 1 value per channel, got %d", total)
	}
	t, ok := vs[0].(tensor.Tensor)
	if !ok {
		return nil, errors.Errorf("%v: input is a %T", op, vs[0])
	}
	batch, err := contiguous(t)
	if err != nil || batch.Dtype() != run.Dtype() || batch.DataSize() != op.c {
		return nil, errors.Errorf("%v: batch statistic %v %v, want %v [%d] (%v)", op, t.Dtype(), t.Shape(), run.Dtype(), op.c, err)
	}
	floatdense.Copy(out, batch)
	// Synchronized: the statistic of the whole global batch.
	if err := op.stats.average(syncPoint(op.kind), out); err != nil {
		return nil, err
	}
	if run.Dtype() == tensor.Float64 {
		op.update(run.Float64s(), out.Float64s())
	} else {
		op.update32(run.Float32s(), out.Float32s())
	}
	if op.kind == statMean {
		op.stats.NumBatchesTracked++
	}
	return out, nil
}

// outBuffer returns the op's output buffer [C] of dtype dt.
func (op *bnStatOp) outBuffer(dt tensor.Dtype) *tensor.Dense {
	if op.out == nil || op.out.Dtype() != dt {
		op.out = tensor.New(tensor.Of(dt), tensor.WithShape(op.c))
	}
	return op.out
}

// corr is the factor of the running update: N/(N - 1) for the variance
// (unbiased, as PyTorch; N = n·K values per channel over the K shards of a
// synchronized layer), 1 for the mean.
func (op *bnStatOp) corr() float64 {
	if op.kind == statVar {
		n := float64(op.n * op.stats.shards())
		return n / (n - 1)
	}
	return 1
}

// syncPoint is the forward point of a statistic.
func syncPoint(k statKind) SyncPoint {
	if k == statMean {
		return SyncMean
	}
	return SyncVar
}

// update is running = (1-m)·running + m·batch·corr.
func (op *bnStatOp) update(r, batch []float64) {
	m, corr := op.stats.Momentum, op.corr()
	for i := range r {
		r[i] = (1-m)*r[i] + m*batch[i]*corr
	}
}

// update32 is update for float32, computed in float64 as before.
func (op *bnStatOp) update32(r, batch []float32) {
	m, corr := op.stats.Momentum, op.corr()
	for i := range r {
		r[i] = float32((1-m)*float64(r[i]) + m*float64(batch[i])*corr)
	}
}

// WriteHash includes the stats' identity: two layers never merge.
func (op *bnStatOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "symgrad.bnstat(%p,%d,%d,%d)", op.stats, op.kind, op.n, op.c)
}
func (op *bnStatOp) Hashcode() uint32 { return hashOf(op) }

var (
	// KindBatchNormStat is the kind of batch norm's running-statistic op.
	KindBatchNormStat = NewKind("batchnormstat")
)

// Identity is KindBatchNormStat.
func (op *bnStatOp) Identity() Identity { return Identity{Kind: KindBatchNormStat} }

func (op *bnStatOp) String() string {
	if op.kind == statMean {
		return "bnstat(mean)"
	}
	return "bnstat(var)"
}

// SymDiff is the identity (in training the output is the batch statistic)
// or, for a synchronized layer, the average of g over the shards: the
// adjoint of the forward average.
func (op *bnStatOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	if op.stats.Sync == nil {
		return G.Nodes{g}, nil
	}
	at := SyncMeanGrad
	if op.kind == statVar {
		at = SyncVarGrad
	}
	return applyAdjoint(op, &bnSyncGradOp{stats: op.stats, at: at, c: op.c}, g)
}

func init() {
	Register(&Spec{
		Name: "batchnorm", Family: "normalization",
		Forward:  "batchnorm(x, gamma, beta) = (x - μ)/√(σ² + 1e-5) ⊙ gamma + beta, μ, σ² (biased) per channel over N (H, W); running stats use the unbiased σ²",
		Gradient: "(gamma/√(σ²+eps))·(g - mean(g) - x̂·mean(g ⊙ x̂)) per channel; d/dgamma = Σ g ⊙ x̂; d/dbeta = Σ g",
		Notes:    "symgrad composite with a running-statistics op (train/eval switch); Gorgonia's BatchNorm is not used.",
		Build: func(n []*G.Node, _ []float64) (*G.Node, error) {
			return BatchNorm(n[0], n[1], n[2], nil)
		},
		MinNodes: 3, MaxNodes: 3,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{4, 3}, Domain: Real}, {Name: "gamma", Shape: []int{3}, Domain: Domain{Min: 0.5, Max: 1.5}},
			{Name: "beta", Shape: []int{3}, Domain: Real}}},
		Dtypes: floats, TwiceDifferentiable: true,
	})
	Register(&Spec{
		Name: "layernorm", Family: "normalization",
		Forward:  "layernorm(x, gamma, beta, eps) = (x - μ)/√(σ² + eps) ⊙ gamma + beta over the last axis (eps defaults to 1e-5)",
		Gradient: "(gamma/√(σ²+eps))·(g - mean(g) - x̂·mean(g ⊙ x̂)) along the last axis; d/dgamma = Σ g ⊙ x̂; d/dbeta = Σ g",
		Notes:    "symgrad composite (mean, expand, InvSqrt).",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			return LayerNorm(n[0], n[1], n[2], oneFloat(p, 1e-5))
		},
		MinNodes: 3, MaxNodes: 3, MaxParams: 1,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 3, 4}, Domain: Real}, {Name: "gamma", Shape: []int{4}, Domain: Domain{Min: 0.5, Max: 1.5}},
			{Name: "beta", Shape: []int{4}, Domain: Real}}},
		Dtypes: floats, TwiceDifferentiable: true,
	})
}

// SyncPoint says where in a batch-norm layer's training step a
// BatchNormSync average is taken: the two forward statistics, then (in the
// backward pass) their gradients, in the order SyncVarGrad, SyncMeanGrad.
type SyncPoint int

// The points of one layer's step, in the order they run.
const (
	SyncMean     SyncPoint = iota // the shard's batch mean [C]
	SyncVar                       // the shard's mean squared deviation from the global mean [C]
	SyncVarGrad                   // the gradient of the loss with respect to the global variance
	SyncMeanGrad                  // the gradient with respect to the global mean
)

// BatchNormSync synchronizes a batch-norm layer over the K equal shards of
// a data-parallel step (PyTorch's SyncBatchNorm): set as
// BatchNormStats.Sync BEFORE the graph is differentiated (compiled), it
// makes the layer normalize with the statistics of the whole global batch.
//
// In training, the layer's shard mean μ_s and its mean squared deviation
// from the global mean, v_s = mean((x - μ)²), are each replaced by their
// average over the shards (μ = mean_s μ_s, σ² = mean_s v_s: the global
// mean and biased variance, since the shards are of equal size), and the
// running statistics are updated with them and the unbiased variance over
// the global count n·K. The gradient of an average over shards is the
// average over shards of the gradients (its adjoint), so the backward pass
// averages the gradients with respect to σ² and μ the same way: each
// shard's parameter gradients are then the gradients of the sum of every
// shard's loss, whose average over the shards is the gradient of the
// global mean loss. Package parallel implements it for its groups.
type BatchNormSync interface {
	// Shards returns K, the number of shards averaged over.
	Shards() int
	// Average replaces v (a contiguous [C] tensor of the layer's dtype)
	// by the mean over the K shards of their v at point at. Every shard
	// calls it at the same points in the same order.
	Average(at SyncPoint, v *tensor.Dense) error
}

// shards is the number K of shards a layer's statistics are averaged over.
func (s *BatchNormStats) shards() int {
	if s.Sync == nil {
		return 1
	}
	return max(1, s.Sync.Shards())
}

// average applies the layer's BatchNormSync, if any, to v.
func (s *BatchNormStats) average(at SyncPoint, v *tensor.Dense) error {
	if s.Sync == nil {
		return nil
	}
	return errors.Wrap(s.Sync.Average(at, v), "synchronized batch norm")
}

// BatchNormLayers returns the running statistics of every batch-norm layer
// of g, in the order the layers were built (the order of their nodes): the
// same order in every copy of a model built by the same code. Set their
// Sync before compiling.
func BatchNormLayers(g *G.ExprGraph) []*BatchNormStats {
	var out []*BatchNormStats
	seen := map[*BatchNormStats]bool{}
	for _, n := range g.AllNodes() {
		if op, ok := OpOf(n).(*bnStatOp); ok && !seen[op.stats] {
			seen[op.stats] = true
			out = append(out, op.stats)
		}
	}
	return out
}

// bnSyncGradOp averages the gradient of a synchronized batch-norm
// statistic over the shards: the adjoint of the forward average (and its
// own, so it is twice differentiable). Without a Sync it is the identity.
type bnSyncGradOp struct {
	unaryBase
	stats *BatchNormStats
	at    SyncPoint
	c     int
	out   *tensor.Dense // reused output buffer
}

func (op *bnSyncGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 1, Of: a}, G.TensorType{Dims: 1, Of: a})
}
func (op *bnSyncGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.c}, nil
}

// Do copies g into the op's buffer and averages it over the shards.
func (op *bnSyncGradOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	t, ok := vs[0].(tensor.Tensor)
	if !ok {
		return nil, errors.Errorf("%v: input is a %T", op, vs[0])
	}
	g, err := contiguous(t)
	if err != nil || g.DataSize() != op.c {
		return nil, errors.Errorf("%v: gradient %v %v, want [%d] (%v)", op, t.Dtype(), t.Shape(), op.c, err)
	}
	if op.out == nil || op.out.Dtype() != g.Dtype() {
		op.out = tensor.New(tensor.Of(g.Dtype()), tensor.WithShape(op.c))
	}
	if !floatdense.Copy(op.out, g) {
		return nil, errors.Errorf("%v: dtype %v", op, g.Dtype())
	}
	return op.out, op.stats.average(op.at, op.out)
}

// WriteHash includes the stats' identity and the point.
func (op *bnSyncGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "symgrad.bnsyncgrad(%p,%d,%d)", op.stats, op.at, op.c)
}
func (op *bnSyncGradOp) Hashcode() uint32 { return hashOf(op) }

// KindBatchNormSync is the kind of the gradient average of a synchronized
// batch norm.
var KindBatchNormSync = NewKind("batchnormsync")

// Identity is KindBatchNormSync.
func (op *bnSyncGradOp) Identity() Identity { return Identity{Kind: KindBatchNormSync} }

func (op *bnSyncGradOp) String() string { return fmt.Sprintf("bnsyncgrad(%d)", op.at) }

// SymDiff: the average over shards is linear and self-adjoint.
func (op *bnSyncGradOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	return applyAdjoint(op, &bnSyncGradOp{stats: op.stats, at: op.at, c: op.c}, g)
}

// virtualShards is the BatchNormSync of the registry's example: this shard
// is shard 0 of 2, the other's statistics are fixed (mean 0.25, mean
// squared deviation 1.5 in every channel) and its gradients are 0, as for
// the loss of shard 0 alone.
type virtualShards struct{}

func (virtualShards) Shards() int { return 2 }

func (virtualShards) Average(at SyncPoint, v *tensor.Dense) error {
	other := 0.0
	switch at {
	case SyncMean:
		other = 0.25
	case SyncVar:
		other = 1.5
	}
	switch v.Dtype() {
	case tensor.Float64:
		for i, x := range v.Float64s() {
			v.Float64s()[i] = (x + other) / 2
		}
	case tensor.Float32:
		for i, x := range v.Float32s() {
			v.Float32s()[i] = (x + float32(other)) / 2
		}
	}
	return nil
}

func init() {
	Register(&Spec{
		Name: "syncbatchnorm", Family: "normalization",
		Forward: "batchnorm with μ = mean over K shards of their batch means and σ² = mean over shards of mean((x - μ)²) (SyncBatchNorm); " +
			"running stats use the unbiased σ² over the n·K values",
		Gradient: "batchnorm's composite, with the gradients with respect to σ² and μ averaged over the shards (the adjoint of the average)",
		Notes: "In package parallel every replica of every rank is a shard. As an expression (and in the gradient check) it is shard 0 of 2 " +
			"whose other shard has fixed statistics (mean 0.25, mean squared deviation 1.5) and zero gradients, so the check sees the 1/K factors.",
		Build: func(n []*G.Node, _ []float64) (*G.Node, error) {
			if n[0].Dims() < 2 {
				return nil, errors.Errorf("syncbatchnorm: %s must be [N, C] or [N, C, H, W], got %v", n[0].Name(), n[0].Shape())
			}
			stats := NewBatchNormStats(n[0].Shape()[1], n[0].Dtype())
			stats.Sync = virtualShards{}
			return BatchNorm(n[0], n[1], n[2], stats)
		},
		MinNodes: 3, MaxNodes: 3,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{4, 3}, Domain: Real}, {Name: "gamma", Shape: []int{3}, Domain: Domain{Min: 0.5, Max: 1.5}},
			{Name: "beta", Shape: []int{3}, Domain: Real}}},
		Dtypes: floats, TwiceDifferentiable: true,
	})
}
