package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

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
	switch g.Dtype() {
	case tensor.Float64:
		copy(op.out.Float64s(), g.Float64s())
	case tensor.Float32:
		copy(op.out.Float32s(), g.Float32s())
	default:
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
