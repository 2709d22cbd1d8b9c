package parallel

import (
	"sync"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// bnHub synchronizes the batch-norm layers of a group's replicas
// (SyncBatchNorm): every replica's layers call Average at the same points
// in the same order; replica 0 waits for the others, sums their vectors in
// replica order, sums the result over the ranks with one small allreduce
// through the communicator (the watchdog's guarded path), scales by
// 1/(P·R) and releases them. One barrier per point: a replica copies the
// result out before it can arrive at the next point, and replica 0 writes
// the result only when everyone has arrived. It allocates nothing.
type bnHub struct {
	comm    Comm
	reps    int
	scale   float64 // 1/(P·R)
	mu      sync.Mutex
	cond    sync.Cond
	arrived int    // replicas 1..R-1 waiting at the current point
	gen     uint64 // counts released points
	slots   [][]float64
	ids     []int
	lens    []int
	res     []float64 // the sum, then the point's id (a check that every rank is at the same point)
	active  bool      // inside Group.RunTrain's compute phase
	err     error
}

func newBNHub(comm Comm, reps, channels int) *bnHub {
	h := &bnHub{comm: comm, reps: reps, scale: 1 / float64(reps*comm.Size()),
		ids: make([]int, reps), lens: make([]int, reps), res: make([]float64, channels+1)}
	h.cond.L = &h.mu
	for range reps {
		h.slots = append(h.slots, make([]float64, channels))
	}
	return h
}

// begin opens a step: no replica is inside Average (the previous compute
// phase has ended), so the hub can be reset, forgetting a failed step.
func (h *bnHub) begin() {
	h.mu.Lock()
	h.arrived, h.err, h.active = 0, nil, true
	h.mu.Unlock()
}

// end closes the step: Average outside RunTrain is an error, not a wait
// for replicas that will never come.
func (h *bnHub) end() {
	h.mu.Lock()
	h.active = false
	h.mu.Unlock()
}

// fail releases every waiting replica with err: replica r failed and will
// not reach the next point.
func (h *bnHub) fail(r int, err error) {
	h.mu.Lock()
	if h.err == nil {
		h.err = errors.Wrapf(err, "replica %d failed", r)
	}
	h.cond.Broadcast()
	h.mu.Unlock()
}

// average is replica r's Average of layer's point at.
func (h *bnHub) average(r, layer int, at ops.SyncPoint, v *tensor.Dense) error {
	id := 4*layer + int(at) + 1
	n := v.DataSize()
	if n > len(h.slots[r]) {
		return errors.Errorf("%d channels, the hub holds %d", n, len(h.slots[r]))
	}
	if err := load(h.slots[r][:n], v); err != nil {
		return err
	}
	h.ids[r], h.lens[r] = id, n
	var err error
	if r == 0 {
		err = h.reduce(id, n)
	} else {
		err = h.wait()
	}
	if err != nil {
		return err
	}
	return store(v, h.res[:n])
}

// wait is a replica other than 0 arriving at a point: it waits for
// replica 0 to release it.
func (h *bnHub) wait() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.check(); err != nil {
		return err
	}
	gen := h.gen
	h.arrived++
	h.cond.Broadcast()
	for h.gen == gen && h.err == nil {
		h.cond.Wait()
	}
	return h.err // nil when released, else the failure (released or not)
}

func (h *bnHub) check() error {
	if !h.active {
		return errors.New("a synchronized batch norm runs only inside Group.RunTrain (every replica at once)")
	}
	return h.err
}

// reduce is replica 0 at a point: it waits for the others, sums, allreduces
// and releases them.
func (h *bnHub) reduce(id, n int) error {
	h.mu.Lock()
	for h.arrived < h.reps-1 && h.err == nil && h.active {
		h.cond.Wait()
	}
	if err := h.check(); err != nil {
		h.mu.Unlock()
		return err
	}
	h.mu.Unlock()
	err := h.sum(id, n)
	h.mu.Lock()
	h.arrived = 0
	h.gen++
	if err != nil && h.err == nil {
		h.err = err
	}
	h.cond.Broadcast()
	h.mu.Unlock()
	return err
}

// sum adds the replicas' vectors in replica order and the ranks' sums,
// and scales by 1/(P·R).
func (h *bnHub) sum(id, n int) error {
	for r := 1; r < h.reps; r++ {
		if h.ids[r] != id || h.lens[r] != n {
			return errors.Errorf("replica %d is at batch-norm point %d [%d], replica 0 at %d [%d]: the replicas differ", r, h.ids[r], h.lens[r], id, n)
		}
	}
	res := h.res[:n+1]
	copy(res, h.slots[0][:n])
	for r := 1; r < h.reps; r++ {
		for i, x := range h.slots[r][:n] {
			res[i] += x
		}
	}
	res[n] = float64(id)
	if h.comm.Size() > 1 {
		if err := h.comm.AllreduceFloat64(res); err != nil {
			return errors.Wrap(err, "allreduce of the batch-norm statistics")
		}
		if want := float64(id * h.comm.Size()); res[n] != want {
			return errors.Errorf("the ranks are at different batch-norm points (ids sum to %v, want %v)", res[n], want)
		}
	}
	for i := range res[:n] {
		res[i] *= h.scale
	}
	return nil
}

// load copies v into dst as float64s.
func load(dst []float64, v *tensor.Dense) error {
	switch v.Dtype() {
	case tensor.Float64:
		copy(dst, v.Float64s())
	case tensor.Float32:
		for i, x := range v.Float32s() {
			dst[i] = float64(x)
		}
	default:
		return errors.Errorf("batch-norm statistics of dtype %v", v.Dtype())
	}
	return nil
}

// store copies src into v.
func store(v *tensor.Dense, src []float64) error {
	switch v.Dtype() {
	case tensor.Float64:
		copy(v.Float64s(), src)
	case tensor.Float32:
		d := v.Float32s()
		for i, x := range src {
			d[i] = float32(x)
		}
	}
	return nil
}

// bnLayer is one batch-norm layer of one replica: its ops.BatchNormSync.
type bnLayer struct {
	hub        *bnHub
	rep, layer int
}

var _ ops.BatchNormSync = (*bnLayer)(nil)

// Shards is P·R.
func (l *bnLayer) Shards() int { return l.hub.reps * l.hub.comm.Size() }

// Average averages v over every replica of every rank.
func (l *bnLayer) Average(at ops.SyncPoint, v *tensor.Dense) error {
	return l.hub.average(l.rep, l.layer, at, v)
}

// synchronize makes the batch norms of replica rep's model average their
// statistics through h (before it is compiled).
func (h *bnHub) synchronize(layers []*ops.BatchNormStats, rep int) {
	for i, s := range layers {
		s.Sync = &bnLayer{hub: h, rep: rep, layer: i}
	}
}
