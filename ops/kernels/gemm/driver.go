package gemm

// float is the element type of a product.
type float interface{ float32 | float64 }

// mr is the height of a micro-tile (rows of C) for both element types.
const mr = 6

// kernelFunc computes one mr x nr tile of C (leading dimension ldc)
// from kc steps of a packed A panel (mr values per step) and a B panel
// (nr values per step, ldb apart: nr when packed): C = alpha·acc, or
// with load != 0 C = fma(beta, C, alpha·acc).
type kernelFunc[T float] func(kc int, a, b *T, ldb int, c *T, ldc int, alpha, beta T, load int)

// directBlocks is the most row blocks (of cfg.mc rows) a worker
// computes with B read in place (NoTrans B only) instead of packed: B is
// then traversed once per block, strided, where packing it would cost a
// pass of its own. Measured on one core (GFLOP per CPU second, paired):
// in place is 1.1-1.4x faster at 32x64x256, 64x100x50 and 128x784x256
// (1 or 2 blocks), 0.7x at 512x512x512 (8 blocks, f64).
const directBlocks = 2

// config holds one element type's blocking sizes and kernel. It is set
// once at package initialization and only read afterwards.
type config[T float] struct {
	nr         int // width of a micro-tile
	mc, kc, nc int // block sizes: A block mc x kc, B block kc x nc
	kernel     kernelFunc[T]
	// space returns a worker's buffers for this element type.
	space func(w *worker) *space[T]
	// problem and jobs return a caller's argument and job slots for
	// this element type.
	problem func(c *caller) *problem[T]
	jobs    func(c *caller) []job[T]
}

// problem is one call's arguments.
type problem[T float] struct {
	tA, tB  Transpose
	m, n, k int
	alpha   T
	a       []T
	lda     int
	b       []T
	ldb     int
	beta    T
	c       []T
	ldc     int
}

// space is a worker's packing buffers for one element type: an A block,
// a B block and one edge tile.
type space[T float] struct {
	a, b, tile []T
}

// fit grows s's buffers, when needed, to an A block of mc x kc and a
// B block of kc x nc (mc and nc rounded up to whole micro-panels): a
// worker's buffers only grow, so steady-state calls allocate nothing.
func (s *space[T]) fit(cfg *config[T], mc, kc, nc int) {
	if n := roundUp(mc, mr) * kc; len(s.a) < n {
		s.a = make([]T, n)
	}
	if n := kc * roundUp(nc, cfg.nr); len(s.b) < n {
		s.b = make([]T, n)
	}
	if s.tile == nil {
		s.tile = make([]T, mr*cfg.nr)
	}
}

func roundUp(x, to int) int { return (x + to - 1) / to * to }

// kSteps is the length of the blocks p is cut into: the fewest blocks of
// at most cfg.kc steps, of equal length (the last may be shorter). It
// depends on k alone, which keeps the summation order fixed.
func kSteps(kc, k int) int {
	nb := (k + kc - 1) / kc
	return (k + nb - 1) / nb
}

// scale computes C = beta·C (C = 0 when beta = 0), for alpha = 0 or k = 0.
func scale[T float](p *problem[T]) {
	for i := range p.m {
		row := p.c[i*p.ldc : i*p.ldc+p.n]
		if p.beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= p.beta
		}
	}
}

// block computes rows [i0, i1) and columns [j0, j1) of C on one worker.
func block[T float](cfg *config[T], s *space[T], p *problem[T], i0, i1, j0, j1 int) {
	ks := kSteps(cfg.kc, p.k)
	s.fit(cfg, min(cfg.mc, i1-i0), ks, min(cfg.nc, j1-j0))
	direct := !bool(p.tB) && i1-i0 <= directBlocks*cfg.mc
	for jc := j0; jc < j1; jc += cfg.nc {
		nc := min(cfg.nc, j1-jc)
		for pc := 0; pc < p.k; pc += ks {
			kc := min(ks, p.k-pc)
			if direct {
				// Only a last, partial panel is packed (padded).
				full := nc / cfg.nr * cfg.nr
				packB(p, s.b, cfg.nr, pc, kc, jc+full, nc-full)
			} else {
				packB(p, s.b, cfg.nr, pc, kc, jc, nc)
			}
			beta, load := p.beta, 1
			if pc > 0 {
				beta = 1
			} else if p.beta == 0 {
				load = 0
			}
			for ic := i0; ic < i1; ic += cfg.mc {
				mc := min(cfg.mc, i1-ic)
				packA(p, s.a, ic, mc, pc, kc)
				macro(cfg, s, p, ic, mc, jc, nc, pc, kc, beta, load, direct)
			}
		}
	}
}

// macro runs the micro-kernel over the mc x nc block of C at (ic, jc)
// from the packed A block and the B block (steps pc..pc+kc), packed or,
// when direct, read in place (its partial last panel packed at s.b[0]).
func macro[T float](cfg *config[T], s *space[T], p *problem[T], ic, mc, jc, nc, pc, kc int, beta T, load int, direct bool) {
	nr, ldc := cfg.nr, p.ldc
	for jr := 0; jr < nc; jr += nr {
		nn := min(nr, nc-jr)
		bp, ldb := &s.b[jr*kc], nr
		switch {
		case direct && nn == nr:
			bp, ldb = &p.b[pc*p.ldb+jc+jr], p.ldb
		case direct:
			bp = &s.b[0]
		}
		for ir := 0; ir < mc; ir += mr {
			mm := min(mr, mc-ir)
			ap := &s.a[ir*kc]
			ci := (ic+ir)*ldc + jc + jr
			if mm == mr && nn == nr {
				cfg.kernel(kc, ap, bp, ldb, &p.c[ci], ldc, p.alpha, beta, load)
				continue
			}
			edge(cfg, s.tile, p.c[ci:], ldc, mm, nn, kc, ap, bp, ldb, p.alpha, beta, load)
		}
	}
}

// edge computes a partial mm x nn tile through the full-size tile
// buffer, so that its elements go through the same kernel arithmetic as
// a full tile's.
func edge[T float](cfg *config[T], tile, c []T, ldc, mm, nn, kc int, ap, bp *T, ldb int, alpha, beta T, load int) {
	nr := cfg.nr
	if load != 0 {
		for r := range mm {
			copy(tile[r*nr:r*nr+nn], c[r*ldc:r*ldc+nn])
		}
	}
	cfg.kernel(kc, ap, bp, ldb, &tile[0], nr, alpha, beta, load)
	for r := range mm {
		copy(c[r*ldc:r*ldc+nn], tile[r*nr:r*nr+nn])
	}
}
