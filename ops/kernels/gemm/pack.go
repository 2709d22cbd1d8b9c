package gemm

// maxNR is the widest micro-tile (float32's).
const maxNR = nr32

// packA packs op(A)[ic:ic+mc, pc:pc+kc] into mr-high panels: panel q
// holds, for each step p, the mr values op(A)[ic+q*mr+r, pc+p] (zero
// beyond row mc).
func packA[T float](p *problem[T], dst []T, ic, mc, pc, kc int) {
	a, lda := p.a, p.lda
	for ir := 0; ir < mc; ir += mr {
		mm := min(mr, mc-ir)
		panel := dst[ir*kc : (ir+mr)*kc]
		switch {
		case bool(p.tA) && mm == mr:
			// op(A)[i, q] = A[q, i]: each step is a contiguous run.
			for q := range kc {
				d, s := (*[mr]T)(panel[q*mr:]), a[(pc+q)*lda+ic+ir:][:mr]
				d[0], d[1], d[2], d[3], d[4], d[5] = s[0], s[1], s[2], s[3], s[4], s[5]
			}
		case bool(p.tA):
			for q := range kc {
				d := panel[q*mr : q*mr+mr]
				copy(d, a[(pc+q)*lda+ic+ir:][:mm])
				clear(d[mm:])
			}
		case mm == mr:
			// Six rows of A read side by side, the panel written in order.
			o := (ic+ir)*lda + pc
			r0, r1, r2 := a[o:][:kc], a[o+lda:][:kc], a[o+2*lda:][:kc]
			r3, r4, r5 := a[o+3*lda:][:kc], a[o+4*lda:][:kc], a[o+5*lda:][:kc]
			for q := range kc {
				d := (*[mr]T)(panel[q*mr:])
				d[0], d[1], d[2], d[3], d[4], d[5] = r0[q], r1[q], r2[q], r3[q], r4[q], r5[q]
			}
		default:
			clear(panel)
			for r := range mm {
				for q, v := range a[(ic+ir+r)*lda+pc:][:kc] {
					panel[q*mr+r] = v
				}
			}
		}
	}
}

// packB packs op(B)[pc:pc+kc, jc:jc+nc] into nr-wide panels: panel q
// holds, for each step p, the nr values op(B)[pc+p, jc+q*nr+j] (zero
// beyond column nc).
func packB[T float](p *problem[T], dst []T, nr, pc, kc, jc, nc int) {
	b, ldb := p.b, p.ldb
	for jr := 0; jr < nc; jr += nr {
		nn := min(nr, nc-jr)
		panel := dst[jr*kc : (jr+nr)*kc]
		switch {
		case !bool(p.tB) && nn == nr:
			o := pc*ldb + jc + jr
			for q := range kc {
				copyRow(panel[q*nr:], b[o+q*ldb:], nr)
			}
		case !bool(p.tB):
			for q := range kc {
				d := panel[q*nr : q*nr+nr]
				copy(d, b[(pc+q)*ldb+jc+jr:][:nn])
				clear(d[nn:])
			}
		default:
			// op(B)[q, j] = B[j, q]: nn rows of B read side by side.
			var rows [maxNR][]T
			for j := range nn {
				rows[j] = b[(jc+jr+j)*ldb+pc:][:kc]
			}
			if nn < nr {
				clear(panel)
			}
			for q := range kc {
				d := panel[q*nr : q*nr+nn]
				for j := range d {
					d[j] = rows[j][q]
				}
			}
		}
	}
}

// copyRow copies nr elements (an element loop: a generic fixed-size
// array copy compiles to a memmove call here).
func copyRow[T float](dst, src []T, nr int) {
	d, s := dst[:nr], src[:nr]
	for j := 0; j+4 <= len(d); j += 4 {
		d[j], d[j+1], d[j+2], d[j+3] = s[j], s[j+1], s[j+2], s[j+3]
	}
}
