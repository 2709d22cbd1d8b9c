package parallel

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
)

// reducer moves values between the replicas and the fused gradient buffer.
// Its methods allocate nothing.
type reducer interface {
	// sync copies the master's parameters and float buffers into replica
	// r (nothing when replica r is the master).
	sync(r int)
	// reduce writes worker w's chunk of the fused buffer: the sum over
	// replicas 0..R-1, in that order, of their gradients, times 1/(P·R).
	reduce(w int)
	// keep copies replica 0's float buffers into an external master.
	keep()
	// allreduce stores the scaled sum of the replicas' losses after the
	// gradients, sums the fused buffer over the ranks and returns the
	// global mean loss.
	allreduce(c Comm, losses []float64) (float64, error)
	// size is the number of elements of the fused buffer.
	size() int
}

type float interface{ ~float32 | ~float64 }

// segment is the part of one parameter's gradient that one worker reduces.
type segment struct{ param, lo, hi, off int }

// fused is the reducer of a model of element type T.
type fused[T float] struct {
	buf        []T   // every gradient, then the loss
	offs       []int // offset of each parameter in buf
	master     [][]T // master parameter values
	masterBufs [][]T // master float buffers (running statistics)
	vals       [][][]T
	grads      [][][]T
	bufs       [][][]T
	segs       [][]segment
	scale      T
	external   bool             // the master is not replica 0
	counts     []*int64         // the master's batch-norm step counters
	repCounts  [][]*int64       // each replica's
	send       func(Comm) error // the allreduce of buf
}

// setup builds the reducer and the optimizer's view of the parameters, and
// gives every replica the master's state.
func (g *Group) setup() error {
	scale := 1 / float64(len(g.reps)*g.comm.Size())
	var err error
	if g.master.Dtype() == tensor.Float32 {
		var f *fused[float32]
		f, err = newFused[float32](g, float32(scale))
		g.red = f
	} else {
		var f *fused[float64]
		f, err = newFused[float64](g, scale)
		g.red = f
	}
	if err != nil {
		return err
	}
	return g.copyMasterState("replica")
}

func newFused[T float](g *Group, scale T) (*fused[T], error) {
	f := &fused[T]{scale: scale, external: g.master != g.reps[0].model}
	n := 0
	for i, p := range g.master.Params {
		f.offs = append(f.offs, n)
		n += p.Shape().TotalSize()
		f.master = append(f.master, data[T](p.Value().(*tensor.Dense)))
		if name := g.reps[0].prog.Params()[i].Name; name != p.Name() {
			return nil, errors.Errorf("parallel: parameter %d is %q in the replicas, %q in the master", i, name, p.Name())
		}
	}
	f.buf = make([]T, n+1)
	switch b := any(f.buf).(type) {
	case []float64:
		f.send = func(c Comm) error { return c.AllreduceFloat64(b) }
	case []float32:
		f.send = func(c Comm) error { return c.AllreduceFloat32(b) }
	}
	f.counts = counters(g.master)
	f.masterBufs = floatBuffers[T](g.master)
	for _, rep := range g.reps {
		var vals, grads [][]T
		for _, p := range rep.prog.Params() {
			vals, grads = append(vals, data[T](p.Value)), append(grads, data[T](p.Grad))
		}
		f.vals, f.grads = append(f.vals, vals), append(f.grads, grads)
		f.bufs = append(f.bufs, floatBuffers[T](rep.model))
		f.repCounts = append(f.repCounts, counters(rep.model))
	}
	g.params = make([]optimizers.Param, len(g.master.Params))
	for i, p := range g.master.Params {
		size := p.Shape().TotalSize()
		view := tensor.New(tensor.WithShape(p.Shape().Clone()...), tensor.WithBacking(f.buf[f.offs[i]:f.offs[i]+size]))
		g.params[i] = optimizers.Param{Name: p.Name(), Value: p.Value().(*tensor.Dense), Grad: view}
	}
	f.segs = chunks(f.offs, n, len(g.reps))
	return f, nil
}

// chunks cuts [0, n) into w contiguous chunks and each chunk into the
// parameter segments it covers.
func chunks(offs []int, n, w int) [][]segment {
	out := make([][]segment, w)
	for k := range out {
		lo, hi := k*n/w, (k+1)*n/w
		for p, off := range offs {
			end := n
			if p+1 < len(offs) {
				end = offs[p+1]
			}
			a, b := max(lo, off), min(hi, end)
			if a < b {
				out[k] = append(out[k], segment{param: p, lo: a - off, hi: b - off, off: a})
			}
		}
	}
	return out
}

func data[T float](t *tensor.Dense) []T { return t.Data().([]T) }

// floatBuffers returns the live data of m's float buffers.
func floatBuffers[T float](m *models.Model) [][]T {
	var out [][]T
	for _, b := range m.Buffers {
		if d, ok := b.Value().Data().([]T); ok {
			out = append(out, d)
		}
	}
	return out
}

// copyMasterState loads every parameter and buffer of the master into
// every other replica; an error names the replica after what.
func (g *Group) copyMasterState(what string) error {
	state := make(map[string]*tensor.Dense)
	for _, e := range g.master.StateDict() {
		state[e.Name] = e.Tensor
	}
	for r, rep := range g.reps {
		if rep.model == g.master {
			continue
		}
		if err := rep.model.LoadStateDict(state); err != nil {
			return errors.Wrapf(err, "parallel: %s %d", what, r)
		}
	}
	return nil
}

func (f *fused[T]) size() int { return len(f.buf) }

func (f *fused[T]) sync(r int) {
	if r == 0 && !f.external {
		return
	}
	for i, v := range f.vals[r] {
		copy(v, f.master[i])
	}
	for i, b := range f.bufs[r] {
		copy(b, f.masterBufs[i])
	}
	for i, c := range f.repCounts[r] {
		*c = *f.counts[i]
	}
}

func (f *fused[T]) reduce(w int) {
	for _, s := range f.segs[w] {
		dst := f.buf[s.off : s.off+s.hi-s.lo]
		copy(dst, f.grads[0][s.param][s.lo:s.hi])
		for r := 1; r < len(f.grads); r++ {
			src := f.grads[r][s.param][s.lo:s.hi]
			for j := range dst {
				dst[j] += src[j]
			}
		}
		if f.scale != 1 {
			for j := range dst {
				dst[j] *= f.scale
			}
		}
	}
}

func (f *fused[T]) keep() {
	if !f.external {
		return
	}
	for i, b := range f.masterBufs {
		copy(b, f.bufs[0][i])
	}
	for i, c := range f.repCounts[0] {
		*f.counts[i] = *c
	}
}

// counters lists the batch-norm step counters of m, in module order (the
// same for the master and every replica: check compared their state).
func counters(m *models.Model) []*int64 {
	var out []*int64
	for _, mod := range m.Modules {
		if bn, ok := mod.(*models.BatchNorm); ok {
			out = append(out, &bn.Stats.NumBatchesTracked)
		}
	}
	return out
}

func (f *fused[T]) allreduce(c Comm, losses []float64) (float64, error) {
	var sum T
	for _, l := range losses {
		sum += T(l)
	}
	f.buf[len(f.buf)-1] = sum * f.scale
	if err := f.send(c); err != nil {
		return 0, errors.Wrap(err, "parallel: allreduce of the gradients")
	}
	return float64(f.buf[len(f.buf)-1]), nil
}
