package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

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
		if run.Dtype() == tensor.Float64 {
			copy(out.Float64s(), run.Float64s())
		} else {
			copy(out.Float32s(), run.Float32s())
		}
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
	if run.Dtype() == tensor.Float64 {
		copy(out.Float64s(), batch.Float64s())
	} else {
		copy(out.Float32s(), batch.Float32s())
	}
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
