package data

import (
	"iter"
	"math/rand/v2"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// BatchConfig configures a Batcher. Its zero value, apart from Size, gives
// PyTorch DataLoader's defaults: samples in order, last partial batch kept.
type BatchConfig struct {
	// Size is the number of samples per batch; it must be at least 1.
	Size int
	// Shuffle draws a new order of the samples for every epoch.
	Shuffle bool
	// Seed seeds the shuffling: epoch e uses the order drawn by Fisher-Yates
	// from rand.New(rand.NewPCG(Seed, e)), so an epoch's order depends only on
	// Seed and e (epoch 0 is Permutation(N, Seed)).
	Seed uint64
	// DropLast drops the last batch of an epoch when it has fewer than Size
	// samples. When false (the default) that batch is kept, and its tensors
	// are smaller: [N mod Size, ...] instead of [Size, ...].
	DropLast bool
}

// Batcher iterates over a Dataset in mini-batches, epoch after epoch:
//
//	for epoch := 0; epoch < epochs; epoch++ {
//		for b.Next() {
//			x, y := b.X(), b.Y() // [Size, ...] and [Size, K] or [Size]
//		}
//	}
//
// Next returns false once at the end of each epoch and then starts the next.
// The batch tensors are allocated once, in NewBatcher, and overwritten by
// every call to Next: steady-state iteration does not allocate. Clone a batch
// that must outlive the next call. A Batcher is not safe for concurrent use.
type Batcher struct {
	x, y    *tensor.Dense // the dataset's tensors
	cfg     BatchConfig
	perm    []int // sample order of the current epoch
	full    [2]*tensor.Dense
	tail    [2]*tensor.Dense // the last partial batch, nil when there is none
	cur     [2]*tensor.Dense
	idx     []int // sample indices of the current batch (a slice of perm)
	pos     int   // index in perm of the next batch's first sample
	epoch   int
	batches int
	pcg     *rand.PCG
	rng     *rand.Rand
}

// NewBatcher returns a Batcher over d positioned before the first batch of
// epoch 0. It checks d's shapes and keeps d.X and d.Y without copying them:
// later in-place changes to their values show in the batches.
func NewBatcher(d *Dataset, cfg BatchConfig) (*Batcher, error) {
	if err := d.checkShape(); err != nil {
		return nil, err
	}
	if cfg.Size < 1 {
		return nil, errors.Errorf("data: dataset %q: batch size %d, want >= 1", d.Name, cfg.Size)
	}
	n := d.Len()
	b := &Batcher{x: d.X, y: d.Y, cfg: cfg, perm: make([]int, n), pcg: rand.NewPCG(cfg.Seed, 0)}
	b.rng = rand.New(b.pcg)
	if cfg.DropLast && n < cfg.Size {
		return nil, errors.Errorf("data: dataset %q: DropLast with batch size %d > %d samples leaves no batch", d.Name, cfg.Size, n)
	}
	b.batches = n / cfg.Size
	if b.batches > 0 {
		b.full = b.alloc(cfg.Size)
	}
	if rest := n % cfg.Size; rest > 0 && !cfg.DropLast {
		b.batches++
		b.tail = b.alloc(rest)
	}
	b.SetEpoch(0)
	return b, nil
}

// alloc returns X and Y tensors for a batch of rows samples.
func (b *Batcher) alloc(rows int) [2]*tensor.Dense {
	var out [2]*tensor.Dense
	for i, t := range []*tensor.Dense{b.x, b.y} {
		shape := t.Shape().Clone()
		shape[0] = rows
		out[i] = newDense(t.Dtype(), shape...)
	}
	return out
}

// SetEpoch positions the Batcher before the first batch of epoch e (e >= 0),
// drawing that epoch's order: a training run resumed at epoch e sees the
// batches it would have seen.
func (b *Batcher) SetEpoch(e int) {
	b.epoch, b.pos, b.idx = max(e, 0), 0, nil
	b.cur = [2]*tensor.Dense{}
	if !b.cfg.Shuffle {
		for i := range b.perm {
			b.perm[i] = i
		}
		return
	}
	b.pcg.Seed(b.cfg.Seed, uint64(b.epoch))
	shuffleInts(b.perm, b.rng)
}

// Reset is SetEpoch(0).
func (b *Batcher) Reset() { b.SetEpoch(0) }

// Next fills the batch tensors with the next batch of the current epoch and
// reports true, or, at the end of the epoch, moves to the next epoch and
// reports false.
func (b *Batcher) Next() bool {
	n := len(b.perm)
	if b.pos >= n || (b.cfg.DropLast && n-b.pos < b.cfg.Size) {
		b.SetEpoch(b.epoch + 1)
		return false
	}
	end := min(b.pos+b.cfg.Size, n)
	b.idx = b.perm[b.pos:end]
	b.pos = end
	b.cur = b.full
	if len(b.idx) < b.cfg.Size {
		b.cur = b.tail
	}
	gatherDense(b.cur[0], b.x, b.idx)
	gatherDense(b.cur[1], b.y, b.idx)
	return true
}

// X returns the inputs of the current batch, [Size, ...] (smaller for a kept
// last batch); nil before the first call to Next of an epoch. The tensor is
// reused by the next call to Next.
func (b *Batcher) X() *tensor.Dense { return b.cur[0] }

// Y returns the targets of the current batch, [Size, K] or [Size]; see X.
func (b *Batcher) Y() *tensor.Dense { return b.cur[1] }

// Indices returns the dataset indices of the current batch's samples, in
// batch order. The slice is reused by the next call to Next.
func (b *Batcher) Indices() []int { return b.idx }

// Epoch returns the current epoch, counting from 0.
func (b *Batcher) Epoch() int { return b.epoch }

// BatchesPerEpoch returns the number of batches Next yields in one epoch:
// ceil(N/Size), or floor(N/Size) with DropLast.
func (b *Batcher) BatchesPerEpoch() int { return b.batches }

// Batches returns an iterator over the batches of the current epoch, from its
// start, as (X, Y) pairs; the Batcher is at the next epoch when it completes.
// The tensors are reused from one batch to the next:
//
//	for x, y := range b.Batches() { ... }
func (b *Batcher) Batches() iter.Seq2[*tensor.Dense, *tensor.Dense] {
	return func(yield func(*tensor.Dense, *tensor.Dense) bool) {
		b.SetEpoch(b.epoch)
		for b.Next() {
			if !yield(b.X(), b.Y()) {
				return
			}
		}
	}
}
