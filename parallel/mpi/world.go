package mpi

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkg/errors"

	"github.com/symgrad/symgrad/parallel"
)

// DefaultTimeout is how long a collective may wait for the other ranks
// before the watchdog aborts the job.
const DefaultTimeout = 60 * time.Second

// ExitTimeout is the exit status of a job the watchdog aborts.
const ExitTimeout = 3

// World is MPI_COMM_WORLD: every process of the job. It implements
// parallel.Comm. Its collectives must be called from one goroutine at a
// time, in the same order on every rank.
type World struct {
	rank, size int
	timeout    atomic.Int64 // nanoseconds; 0: no watchdog
	since      atomic.Int64 // UnixNano when the running collective started, 0 if none
	call       atomic.Int32 // which collective is running (index into callNames)
	stop       chan struct{}
	finalized  bool
}

var _ parallel.Comm = (*World)(nil)

const (
	callAllreduce = iota
	callBroadcast
	callBarrier
)

var callNames = [...]string{"MPI_Allreduce", "MPI_Bcast", "MPI_Barrier"}

// The world is process-wide state by nature (MPI may be initialized once
// per process), so Init hands out one World.
var (
	initOnce sync.Once
	world    *World
	initErr  error
)

// Init initializes MPI once (MPI_Init_thread with MPI_THREAD_MULTIPLE,
// MPI_ERRORS_RETURN on the world) and returns the world, whose watchdog
// runs with DefaultTimeout when there is more than one rank. Without the
// mpi build tag it returns rank 0 of 1.
func Init() (*World, error) {
	initOnce.Do(func() {
		r, s, err := initMPI()
		if err != nil {
			initErr = err
			return
		}
		world = &World{rank: r, size: s, stop: make(chan struct{})}
		world.timeout.Store(int64(DefaultTimeout))
		if s > 1 {
			go world.watch()
		}
	})
	return world, initErr
}

// Rank is this process's rank.
func (w *World) Rank() int { return w.rank }

// Size is the number of ranks.
func (w *World) Size() int { return w.size }

// SetTimeout sets how long a collective may wait before the watchdog
// aborts the job (0: never).
func (w *World) SetTimeout(d time.Duration) { w.timeout.Store(int64(d)) }

// AllreduceFloat64 sums buf over the ranks, in place (MPI_Allreduce with
// MPI_IN_PLACE, MPI_SUM). It allocates nothing.
func (w *World) AllreduceFloat64(buf []float64) error {
	w.enter(callAllreduce)
	defer w.leave()
	return allreduceF64(buf)
}

// AllreduceFloat32 is AllreduceFloat64 for float32.
func (w *World) AllreduceFloat32(buf []float32) error {
	w.enter(callAllreduce)
	defer w.leave()
	return allreduceF32(buf)
}

// Broadcast copies root's buf into every rank's buf (MPI_Bcast).
func (w *World) Broadcast(buf []byte, root int) error {
	if root < 0 || root >= w.size {
		return errors.Errorf("mpi: broadcast from rank %d of %d", root, w.size)
	}
	w.enter(callBroadcast)
	defer w.leave()
	return bcast(buf, root)
}

// Barrier waits until every rank has called it.
func (w *World) Barrier() error {
	w.enter(callBarrier)
	defer w.leave()
	return barrier()
}

// Abort ends every process of the job with the given exit status
// (MPI_Abort); without MPI it exits this process.
func (w *World) Abort(code int) {
	abort(code)
	os.Exit(code)
}

// Finalize stops the watchdog and finalizes MPI; the world is unusable
// afterwards.
func (w *World) Finalize() error {
	if w.finalized {
		return nil
	}
	w.finalized = true
	close(w.stop)
	return finalize()
}

func (w *World) enter(call int32) {
	w.call.Store(call)
	w.since.Store(time.Now().UnixNano())
}

func (w *World) leave() { w.since.Store(0) }

// watch aborts the job when a collective has waited longer than the
// timeout: a rank died without mpirun noticing, or hangs.
func (w *World) watch() {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-w.stop:
			return
		case now := <-tick.C:
			since, limit := w.since.Load(), w.timeout.Load()
			if since == 0 || limit == 0 || now.UnixNano()-since < limit {
				continue
			}
			fmt.Fprintf(os.Stderr, "mpi: rank %d: %s has waited %v for the other ranks (timeout %v): aborting the job\n",
				w.rank, callNames[w.call.Load()], time.Duration(now.UnixNano()-since).Round(time.Millisecond), time.Duration(limit))
			w.Abort(ExitTimeout)
		}
	}
}
