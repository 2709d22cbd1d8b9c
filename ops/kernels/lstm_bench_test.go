package kernels

import "testing"

// BenchmarkLSTMCell times every cell map over a [32, 4·128] step, in
// both dtypes.
func BenchmarkLSTMCell(b *testing.B) {
	const rows, h = 32, 128
	b.Run("f64", func(b *testing.B) { benchLSTMCell[float64](b, rows, h) })
	b.Run("f32", func(b *testing.B) { benchLSTMCell[float32](b, rows, h) })
}

func benchLSTMCell[T Float](b *testing.B, rows, h int) {
	act, x, g, out := make([]T, rows*4*h), make([]T, rows*h), make([]T, rows*h), make([]T, rows*4*h)
	for i := range act {
		act[i] = T(i%7) / 7
	}
	for i := range x {
		x[i], g[i] = T(i%5)/5-0.5, T(i%3)/3
	}
	for b.Loop() {
		for k := CellC; k <= CellHGradC; k++ {
			LSTMCell(k, h, act, x, g, out)
		}
	}
}
