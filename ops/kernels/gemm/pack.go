package gemm

import "unsafe"

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
			copyPanel(panel, b, pc*ldb+jc+jr, ldb, kc, nr)
		case !bool(p.tB):
			for q := range kc {
				d := panel[q*nr : q*nr+nr]
				copy(d, b[(pc+q)*ldb+jc+jr:][:nn])
				clear(d[nn:])
			}
		default:
			// op(B)[q, j] = B[j, q]: row j of B is column j of the panel.
			if nn < nr {
				clear(panel)
			}
			for j := range nn {
				scatter(panel[j:], b[(jc+jr+j)*ldb+pc:][:kc], nr)
			}
		}
	}
}

// copyPanel copies kc rows of nr elements, src[o+q*ldb:][:nr] to
// dst[q*nr:][:nr]. A panel row is 64 bytes in both precisions (8 float64
// or 16 float32), moved as one [8]uint64 through unsafe pointers: the
// bounds are checked once, for the last row, instead of per element.
func copyPanel[T float](dst, src []T, o, ldb, kc, nr int) {
	var z T
	size := int(unsafe.Sizeof(z))
	if nr*size != 64 {
		panic("gemm: panel row is not 64 bytes")
	}
	_ = dst[kc*nr-1]
	_ = src[o+(kc-1)*ldb+nr-1]
	// Every pointer formed stays inside the slices (no pointer one past
	// the end: checkptr, -race).
	d, s := unsafe.Pointer(&dst[0]), unsafe.Pointer(&src[o])
	for q := range kc {
		*(*[8]uint64)(unsafe.Add(d, q*64)) = *(*[8]uint64)(unsafe.Add(s, q*ldb*size))
	}
}

// scatter writes src[q] to dst[q*stride] for every q (bounds checked
// once, for the last element).
func scatter[T float](dst, src []T, stride int) {
	n := len(src)
	if n == 0 {
		return
	}
	_ = dst[(n-1)*stride]
	var z T
	step := uintptr(stride) * unsafe.Sizeof(z)
	d := unsafe.Pointer(&dst[0])
	q := 0
	for ; q+4 <= n; q += 4 {
		s := (*[4]T)(src[q:])
		o := uintptr(q) * step
		*(*T)(unsafe.Add(d, o)) = s[0]
		*(*T)(unsafe.Add(d, o+step)) = s[1]
		*(*T)(unsafe.Add(d, o+2*step)) = s[2]
		*(*T)(unsafe.Add(d, o+3*step)) = s[3]
	}
	for ; q < n; q++ {
		*(*T)(unsafe.Add(d, uintptr(q)*step)) = src[q]
	}
}
