package ops

import (
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/blas"
	"github.com/symgrad/symgrad/ops/kernels"
)

// The conv kernels: the per-sample gemms of the three conv maps around
// im2col and col2im (package kernels), generic over float64 and float32.

// sample is the geometry of one sample, for the kernels package.
func (g *convGeom) sample() kernels.Conv {
	return kernels.Conv{C: g.c, H: g.h, W: g.w, KH: g.kh, KW: g.kw, SH: g.sh, SW: g.sw, PH: g.ph, PW: g.pw, OH: g.oh, OW: g.ow}
}

// runConv runs op on ds (its inputs, then its output), using *buf as the
// im2col buffer (grown once, under the op's mutex). The samples run one
// after the other: splitting them over two goroutines measured no faster
// on the 2-core machine (OpenBLAS serializes concurrent small gemms on its
// buffer lock) and made the filter gradient's sum order depend on the split.
func runConv[T float32 | float64](op *convOp, ds []*tensor.Dense, data func(*tensor.Dense) []T, buf *[]T) {
	g := &op.geom
	op.scratch.mu.Lock()
	defer op.scratch.mu.Unlock()
	colN := g.ckk() * g.p()
	if len(*buf) < colN {
		*buf = make([]T, colN)
	}
	col := (*buf)[:colN]
	a, b, out := data(ds[0]), data(ds[1]), data(ds[len(ds)-1])
	switch op.kind {
	case convForward:
		var bias []T
		if op.bias {
			bias = data(ds[2])
		}
		convForwardKernel(g, 0, g.n, a, b, bias, out, col)
	case convInput:
		convInputKernel(g, 0, g.n, a, b, out, col)
	case convFilter:
		convFilterKernel(g, 0, g.n, a, b, out, col)
	}
}

// convForwardKernel is y_n = W·im2col(x_n) + b for samples n0 <= n < n1.
func convForwardKernel[T float32 | float64](g *convGeom, n0, n1 int, x, w, bias, y, col []T) {
	p, ckk, xs, kg := g.p(), g.ckk(), g.c*g.h*g.w, g.sample()
	var beta T
	for n := n0; n < n1; n++ {
		yn := y[n*g.o*p : (n+1)*g.o*p]
		if bias != nil {
			for o, b := range bias {
				fill(yn[o*p:(o+1)*p], b)
			}
			beta = 1
		}
		kernels.Im2Col(&kg, col, x[n*xs:(n+1)*xs])
		gemmT(false, false, g.o, p, ckk, w, ckk, col, p, beta, yn, p)
	}
}

// convInputKernel is dx_n = col2im(Wᵀ·G_n) for samples n0 <= n < n1.
func convInputKernel[T float32 | float64](g *convGeom, n0, n1 int, dy, w, dx, col []T) {
	p, ckk, xs, kg := g.p(), g.ckk(), g.c*g.h*g.w, g.sample()
	for n := n0; n < n1; n++ {
		gemmT(true, false, ckk, p, g.o, w, ckk, dy[n*g.o*p:(n+1)*g.o*p], p, 0, col, p)
		dxn := dx[n*xs : (n+1)*xs]
		clear(dxn)
		kernels.Col2Im(&kg, dxn, col)
	}
}

// convFilterKernel is dW = Σ_{n0 <= n < n1} G_n·im2col(x_n)ᵀ.
func convFilterKernel[T float32 | float64](g *convGeom, n0, n1 int, x, dy, dw, col []T) {
	p, ckk, xs, kg := g.p(), g.ckk(), g.c*g.h*g.w, g.sample()
	var beta T
	for n := n0; n < n1; n++ {
		kernels.Im2Col(&kg, col, x[n*xs:(n+1)*xs])
		gemmT(false, true, g.o, ckk, p, dy[n*g.o*p:(n+1)*g.o*p], p, col, p, beta, dw, ckk)
		beta = 1
	}
	if n0 == n1 {
		clear(dw)
	}
}

func fill[T float32 | float64](d []T, v T) {
	for i := range d {
		d[i] = v
	}
}

// gemmT is c = op(a)·op(b) + beta·c through the build's BLAS, for
// row-major slices with leading dimensions lda, ldb, ldc.
func gemmT[T float32 | float64](ta, tb bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		scaleInPlace(c[:(m-1)*ldc+n], beta)
		return
	}
	switch a := any(a).(type) {
	case []float64:
		blas.Dgemm(trans(ta), trans(tb), m, n, k, 1, a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	case []float32:
		blas.Sgemm(trans(ta), trans(tb), m, n, k, 1, a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	}
}

func scaleInPlace[T float32 | float64](c []T, beta T) {
	for i := range c {
		c[i] *= beta
	}
}
