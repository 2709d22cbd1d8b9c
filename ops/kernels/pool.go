package kernels

// Pool is a 2-D max pool's geometry: x [N, C, H, W] (N·C planes), a
// KH×KW window with stride SH, SW and padding PH, PW (PyTorch's: -∞, so
// the padding never wins; 2·padding <= kernel keeps every window
// non-empty), y [N, C, OH, OW].
type Pool struct{ N, C, H, W, KH, KW, SH, SW, PH, PW, OH, OW int }

// window returns the rows [r0, r1) and columns [c0, c1) of x that window
// (i, j) covers, padding cut off.
func (g *Pool) window(i, j int) (r0, r1, c0, c1 int) {
	r0, c0 = i*g.SH-g.PH, j*g.SW-g.PW
	r1, c1 = min(r0+g.KH, g.H), min(c0+g.KW, g.W)
	return max(r0, 0), r1, max(c0, 0), c1
}

// PoolMap says which of the max pool's maps MaxPool runs.
type PoolMap uint8

// The max pool's maps.
const (
	PoolMax     PoolMap = iota // x -> y
	PoolScatter                // (x, g [y]) -> dx [x]
	PoolGather                 // (x, h [x]) -> [y]
)

// String is "max", "scatter" or "gather".
func (m PoolMap) String() string { return [...]string{"max", "scatter", "gather"}[m] }

// MaxPool runs one max-pool map: max: out = the window's maximum
// (windowMax, the value only); for gather and scatter, every window's
// argmax a: gather: out = v[a]; scatter: out[a] += v (out zeroed).
func MaxPool[T Float](g *Pool, kind PoolMap, x, v, out []T) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	if kind == PoolMax {
		for nc := 0; nc < g.N*g.C; nc++ {
			xp, yp := x[nc*hw:(nc+1)*hw], out[nc*ohw:(nc+1)*ohw]
			for i := 0; i < g.OH; i++ {
				for j := 0; j < g.OW; j++ {
					yp[i*g.OW+j] = windowMax(g, xp, i, j)
				}
			}
		}
		return
	}
	if kind == PoolScatter {
		clear(out)
	}
	for nc := 0; nc < g.N*g.C; nc++ {
		xp := x[nc*hw : (nc+1)*hw]
		for i := 0; i < g.OH; i++ {
			for j := 0; j < g.OW; j++ {
				a := windowArgmax(g, xp, i, j)
				y := nc*ohw + i*g.OW + j
				switch kind {
				case PoolGather:
					out[y] = v[nc*hw+a]
				case PoolScatter:
					out[nc*hw+a] += v[y]
				}
			}
		}
	}
}

// windowMax returns x[windowArgmax(g, xp, i, j)] without tracking the
// index: the running maximum by Go's builtin max (branch-free; a NaN
// propagates). That is the argmax's value bit for bit except where the
// builtin and "the first maximum by >" can differ: a NaN in the window
// (PyTorch keeps the last NaN, whose payload may differ) and a zero
// maximum (max(-0, +0) is +0, the first maximum may be -0). Both take
// windowArgmaxNaN, which follows PyTorch's rule exactly.
func windowMax[T Float](g *Pool, xp []T, i, j int) T {
	r0, r1, c0, c1 := g.window(i, j)
	m := xp[r0*g.W+c0]
	for r := r0; r < r1; r++ {
		for _, e := range xp[r*g.W+c0 : r*g.W+c1] {
			m = max(m, e)
		}
	}
	if m != m || m == 0 {
		return xp[windowArgmaxNaN(g, xp, i, j)]
	}
	return m
}

// windowArgmax returns the index in the plane xp [H, W] of the maximum of
// window (i, j): the first in row-major order, or a NaN (as PyTorch's
// `val > max || isnan(val)`). The common case compares indices only (the
// compiler turns it into conditional moves: random data defeats branch
// prediction); a window with a NaN takes windowArgmaxNaN.
func windowArgmax[T Float](g *Pool, xp []T, i, j int) int {
	r0, r1, c0, c1 := g.window(i, j)
	best := r0*g.W + c0
	m, nan := xp[best], false
	for r := r0; r < r1; r++ {
		base := r*g.W + c0
		for v, e := range xp[base : r*g.W+c1] {
			if e > m {
				best = base + v
			}
			m = max(m, e)
			if e != e {
				nan = true
			}
		}
	}
	if nan {
		return windowArgmaxNaN(g, xp, i, j)
	}
	return best
}

// windowArgmaxNaN is windowArgmax for a window holding a NaN.
func windowArgmaxNaN[T Float](g *Pool, xp []T, i, j int) int {
	r0, r1, c0, c1 := g.window(i, j)
	best := r0*g.W + c0
	m := xp[best]
	for r := r0; r < r1; r++ {
		for k := r*g.W + c0; k < r*g.W+c1; k++ {
			if e := xp[k]; e > m || e != e {
				best, m = k, e
			}
		}
	}
	return best
}
