package kernels

// Conv is the geometry of one sample of a 2-D convolution (cross-
// correlation, as PyTorch's Conv2d): input [C, H, W], a KH×KW kernel,
// stride SH, SW, zero padding PH, PW, output OH×OW with
// OH = (H + 2·PH - KH)/SH + 1 and OW likewise.
type Conv struct{ C, H, W, KH, KW, SH, SW, PH, PW, OH, OW int }

// validRange returns the output columns j in [lo, hi) whose input column
// j·s + v - pad lies inside [0, w).
func validRange(out, w, s, v, pad int) (lo, hi int) {
	lo, hi = 0, out
	for lo < hi && lo*s+v-pad < 0 {
		lo++
	}
	for hi > lo && (hi-1)*s+v-pad >= w {
		hi--
	}
	return lo, hi
}

// Im2Col unfolds one sample x [C, H, W] into col [C·kH·kW, oH·oW]:
// col[(c·kH + u)·kW + v][i·oW + j] = xpad[c, i·sH + u, j·sW + v].
func Im2Col[T Float](g *Conv, col, x []T) { unfold(g, col, x, false) }

// Col2Im is Im2Col's adjoint: it adds col [C·kH·kW, oH·oW] into the
// positions of x [C, H, W] they were read from (padding dropped).
func Col2Im[T Float](g *Conv, x, col []T) { unfold(g, col, x, true) }

// unfold walks col's rows, one per kernel tap (c, u, v), and in each the
// output rows i with the input row r they read, so that Im2Col and its
// adjoint visit the same positions. Forward, it copies x's pixels into
// col and zeroes what falls in the padding; adjoint, it adds col back into
// x. The direction is one branch per output row, never per element.
func unfold[T Float](g *Conv, col, x []T, adjoint bool) {
	p, row := g.OH*g.OW, 0
	for c := 0; c < g.C; c++ {
		xc := x[c*g.H*g.W : (c+1)*g.H*g.W]
		for u := 0; u < g.KH; u++ {
			for v := 0; v < g.KW; v++ {
				taps := col[row*p : (row+1)*p]
				row++
				lo, hi := validRange(g.OW, g.W, g.SW, v, g.PW)
				for i := 0; i < g.OH; i++ {
					d := taps[i*g.OW : (i+1)*g.OW]
					r := i*g.SH + u - g.PH
					if r < 0 || r >= g.H {
						if !adjoint {
							clear(d)
						}
						continue
					}
					xr := xc[r*g.W : (r+1)*g.W]
					if adjoint {
						for j := lo; j < hi; j++ {
							xr[j*g.SW+v-g.PW] += d[j]
						}
						continue
					}
					clear(d[:lo])
					clear(d[hi:])
					if g.SW == 1 {
						copy(d[lo:hi], xr[lo+v-g.PW:hi+v-g.PW])
						continue
					}
					for j := lo; j < hi; j++ {
						d[j] = xr[j*g.SW+v-g.PW]
					}
				}
			}
		}
	}
}

// ValidRange returns the output positions j in [lo, hi) of a strided,
// padded window sweep whose input position j·s + v - pad falls inside
// [0, w): the positions a padded convolution reads real input at.
func ValidRange(out, w, s, v, pad int) (lo, hi int) { return validRange(out, w, s, v, pad) }
