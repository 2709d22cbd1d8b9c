package gemm

import (
	"runtime"
	"sync"
)

// parallelFlops is the size 2·m·n·k from which a product is split
// between goroutines: the OpenBLAS build's switch (internal/blas,
// m·n·k >= 2^22), so both builds use two threads for the same products.
// Below it the split lost on the shared 2-core machine in every paired
// run (0.45-0.9x up to 4 MFLOP, docs/performance.md); mlp's 51 MFLOP
// product gains.
const parallelFlops = 1 << 23

// worker is the packing buffers of one goroutine.
type worker struct {
	s64 space[float64]
	s32 space[float32]
}

// runner is a part of a product that a helper can run on its worker.
type runner interface{ run(w *worker) }

// job is one part of a product: rows [i0, i1) and columns [j0, j1) of C.
type job[T float] struct {
	cfg            *config[T]
	p              *problem[T]
	i0, i1, j0, j1 int
	wg             *sync.WaitGroup
}

// run computes the job's part of C on w and marks it done.
func (j *job[T]) run(w *worker) {
	block(j.cfg, j.cfg.space(w), j.p, j.i0, j.i1, j.j0, j.j1)
	j.wg.Done()
}

// caller is the state of one call in flight: the calling goroutine's
// worker, its arguments and the job slots it hands to helpers. Callers
// are recycled through a free list, so that a call allocates nothing.
type caller struct {
	w   worker
	wg  sync.WaitGroup
	p64 problem[float64]
	p32 problem[float32]
	j64 []job[float64]
	j32 []job[float32]
}

// pool is the helper goroutines and the free list of callers.
type pool struct {
	once  sync.Once
	parts int         // workers per product: helpers + the caller
	jobs  chan runner // unbuffered: a send succeeds only to an idle helper
	free  chan *caller
}

var workers pool

// start launches the helpers (GOMAXPROCS-1 of them) on first use.
func (pl *pool) start() {
	pl.once.Do(func() {
		pl.parts = max(1, runtime.GOMAXPROCS(0))
		pl.jobs = make(chan runner)
		pl.free = make(chan *caller, 2*pl.parts)
		for range pl.parts - 1 {
			go helper(pl.jobs)
		}
	})
}

// helper runs jobs on its own worker until the program ends.
func helper(jobs <-chan runner) {
	var w worker
	for j := range jobs {
		j.run(&w)
	}
}

// get returns a free caller, or a new one when every caller is in use.
func (pl *pool) get() *caller {
	select {
	case c := <-pl.free:
		return c
	default:
		return &caller{j64: make([]job[float64], pl.parts), j32: make([]job[float32], pl.parts)}
	}
}

// put returns c to the free list (or drops it when the list is full).
func (pl *pool) put(c *caller) {
	select {
	case pl.free <- c:
	default:
	}
}

// run computes the product p: directly on the calling goroutine when it
// is small, else split into parts of whole micro-tiles that idle helpers
// take (the caller computes the parts no helper takes).
func run[T float](cfg *config[T], p problem[T]) {
	if p.m == 0 || p.n == 0 {
		return
	}
	if p.alpha == 0 || p.k == 0 {
		scale(&p)
		return
	}
	workers.start()
	c := workers.get()
	defer workers.put(c)
	pp := cfg.problem(c)
	*pp = p
	defer func() { *pp = problem[T]{} }()
	js := cfg.jobs(c)
	parts := plan(cfg, pp, js, &c.wg)
	if parts == 1 {
		block(cfg, cfg.space(&c.w), pp, 0, p.m, 0, p.n)
		return
	}
	c.wg.Add(parts)
	for i := 1; i < parts; i++ {
		select {
		case workers.jobs <- &js[i]:
		default:
			js[i].run(&c.w)
		}
	}
	js[0].run(&c.w)
	c.wg.Wait()
	clear(js[:parts])
}

// plan decides how many parts p is split into (1 below parallelFlops)
// and, when more than one, fills js[:parts] with them.
func plan[T float](cfg *config[T], p *problem[T], js []job[T], wg *sync.WaitGroup) int {
	parts := 1
	if 2*p.m*p.n*p.k >= parallelFlops {
		parts = workers.parts
	}
	// Every part packs its own copy of the operand it shares: splitting
	// the rows of C repacks B (k·n), splitting the columns repacks A
	// (m·k), so split the longer of m and n (when it has enough tiles).
	tm, tn := (p.m+mr-1)/mr, (p.n+cfg.nr-1)/cfg.nr
	splitRows := (p.m >= p.n && tm >= parts) || tn < parts
	if splitRows {
		parts = min(parts, tm)
	} else {
		parts = min(parts, tn)
	}
	if parts == 1 {
		return 1
	}
	for i := range parts {
		j := &js[i]
		*j = job[T]{cfg: cfg, p: p, i0: 0, i1: p.m, j0: 0, j1: p.n, wg: wg}
		if splitRows {
			j.i0, j.i1 = min(p.m, i*tm/parts*mr), min(p.m, (i+1)*tm/parts*mr)
		} else {
			j.j0, j.j1 = min(p.n, i*tn/parts*cfg.nr), min(p.n, (i+1)*tn/parts*cfg.nr)
		}
	}
	return parts
}
