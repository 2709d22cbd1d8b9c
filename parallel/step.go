package parallel

import (
	"sync"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// phase is one parallel part of a step.
type phase int

const (
	phaseSync    phase = iota // replicas take the master's parameters and buffers
	phaseCompute              // forward and backward passes
	phaseReduce               // the fused buffer, chunk by chunk
)

// workers run one phase at a time on every replica: replica 0's part on
// the caller's goroutine, the others' on one goroutine each, started once;
// the caller waits for all of them before the next phase. Sending a phase
// and waiting allocate nothing, and no lock is held while they compute.
type workers struct {
	work  func(r int, ph phase) error
	start []chan phase // replicas 1..R-1
	done  sync.WaitGroup
	errs  []error
}

func startWorkers(r int, work func(r int, ph phase) error) *workers {
	w := &workers{work: work, start: make([]chan phase, r-1), errs: make([]error, r)}
	for i := range w.start {
		w.start[i] = make(chan phase)
		go func() {
			for ph := range w.start[i] {
				w.errs[i+1] = runPhase(work, i+1, ph)
				w.done.Done()
			}
		}()
	}
	return w
}

// runPhase runs replica r's part of ph, turning a panic into an error
// (by hand: panics.Recover's arguments would be boxed on every call).
func runPhase(work func(int, phase) error, r int, ph phase) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errors.Errorf("replica %d: panic: %v", r, p)
		}
	}()
	return work(r, ph)
}

// run runs ph on every replica and returns the first replica's error.
func (w *workers) run(ph phase) error {
	w.done.Add(len(w.start))
	for _, c := range w.start {
		c <- ph
	}
	w.errs[0] = runPhase(w.work, 0, ph)
	w.done.Wait()
	for _, err := range w.errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *workers) stop() {
	for _, c := range w.start {
		close(c)
	}
}

// parallelReduce is the fused-buffer size (elements times replicas) from
// which the reduction is spread over the replicas' goroutines; below it the
// caller reduces alone, which saves a wake-up of every goroutine.
const parallelReduce = 1 << 16

// work is replica r's part of phase ph.
func (g *Group) work(r int, ph phase) error {
	switch ph {
	case phaseSync:
		g.red.sync(r)
	case phaseCompute:
		return g.compute(r)
	case phaseReduce:
		g.red.reduce(r)
		if r == 0 {
			g.red.keep()
		}
	}
	return nil
}

// compute is replica r's forward and backward pass. With synchronized
// batch norms, a replica that fails (or panics) releases the others
// waiting for it at a batch-norm point.
func (g *Group) compute(r int) (err error) {
	if g.bn != nil {
		defer func() {
			if p := recover(); p != nil {
				err = errors.Errorf("replica %d: panic: %v", r, p)
			}
			if err != nil {
				g.bn.fail(r, err)
			}
		}()
	}
	if g.syncInCompute {
		g.red.sync(r)
	}
	return g.reps[r].prog.RunTrain()
}

// RunTrain runs one training step of every replica on its bound shard, at
// once, and leaves in Params' gradients the mean over all P·R shards of
// their mean-loss gradients (and in Loss the mean loss): each replica takes
// the master's parameters and buffers, runs forward and backward, the
// gradients are summed in replica order into the fused buffer and scaled by
// 1/(P·R), and one allreduce sums the fused buffers of the ranks. Then step
// the optimizer on Params (every rank the same step).
//
// A model without buffers takes the master's parameters at the start of
// the compute phase (nothing writes them during it); one with buffers
// (batch norm) in a phase of its own, since replica 0's forward pass
// updates the running statistics that the others copy. A small model's
// reduction runs on the caller's goroutine alone. Synchronized batch norms
// (see Config.LocalBatchNorm) meet inside the compute phase: at each of a
// layer's four points (its mean and variance, forward; their gradients,
// backward) replica 0 sums every replica's per-channel vector in replica
// order, allreduces the sum over the ranks and scales it by 1/(P·R).
func (g *Group) RunTrain() error {
	if g.pool == nil {
		return errors.New("parallel: the group is closed")
	}
	if !g.syncInCompute {
		if err := g.pool.run(phaseSync); err != nil {
			return err
		}
	}
	if g.bn != nil {
		g.bn.begin()
	}
	err := g.pool.run(phaseCompute)
	if g.bn != nil {
		g.bn.end()
	}
	if err != nil {
		return errors.Wrap(err, "parallel")
	}
	if g.reduceAlone {
		for w := range g.reps {
			g.red.reduce(w)
		}
		g.red.keep()
	} else if err := g.pool.run(phaseReduce); err != nil {
		return err
	}
	return g.allreduce()
}

// allreduce sums the fused buffer over the ranks.
func (g *Group) allreduce() error {
	for r, rep := range g.reps {
		g.losses[r] = rep.prog.Loss()
	}
	loss, err := g.red.allreduce(g.comm, g.losses)
	if err != nil {
		return err
	}
	g.loss = loss
	g.steps++
	return nil
}

// Bind copies this process's part of the global batch into the replicas:
// x is [R·b, ...] and y [R·b, ...] (b = ShardSize), of the replicas' dtypes;
// replica r gets rows [r·b, (r+1)·b). It allocates nothing.
func (g *Group) Bind(x, y *tensor.Dense) error {
	if err := g.bindRows(x, "x"); err != nil {
		return err
	}
	return g.bindRows(y, "y")
}

func (g *Group) bindRows(src *tensor.Dense, name string) error {
	k := 0
	if name == "y" {
		k = 1
	}
	want, dt := g.inShapes[k], g.inDtypes[k]
	s := src.Shape()
	ok := src.Dtype() == dt && len(s) == len(want) && s[0] == len(g.reps)*want[0] && !src.RequiresIterator()
	for i := 1; ok && i < len(s); i++ {
		ok = s[i] == want[i]
	}
	if !ok {
		return errors.Errorf("parallel: bind %q: got %v %v, want %v [%d·%d, ...] (this process's %d replicas of %v)",
			name, src.Dtype(), s, dt, len(g.reps), want[0], len(g.reps), want)
	}
	for r, rep := range g.reps {
		if err := copyRows(rep.inputs[k], src, r); err != nil {
			return errors.Wrapf(err, "parallel: bind %q of replica %d", name, r)
		}
	}
	return nil
}

// copyRows copies the r-th block of len(dst) elements of src into dst
// (typed accessors: Dense.Data allocates).
func copyRows(dst, src *tensor.Dense, r int) error {
	switch dst.Dtype() {
	case tensor.Float64:
		d := dst.Float64s()
		copy(d, src.Float64s()[r*len(d):(r+1)*len(d)])
	case tensor.Float32:
		d := dst.Float32s()
		copy(d, src.Float32s()[r*len(d):(r+1)*len(d)])
	case tensor.Int64:
		d := dst.Int64s()
		copy(d, src.Int64s()[r*len(d):(r+1)*len(d)])
	default:
		return errors.Errorf("inputs of dtype %v", dst.Dtype())
	}
	return nil
}
