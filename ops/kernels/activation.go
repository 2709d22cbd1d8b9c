package kernels

import (
	"math"

	"github.com/symgrad/symgrad/ops/kernels/vmath"
)

// sigmoidChunk is how many float32 elements SigmoidInto and TanhInto
// convert per pass.
const sigmoidChunk = 256

// SigmoidInto sets y[i] = σ(x[i]) for every i < len(x), computing in
// float64 with vmath.Sigmoid (several elements at a time where the CPU
// allows); y may be x itself.
func SigmoidInto[T Float](y, x []T) { activationInto(y, x, false) }

// TanhInto sets y[i] = tanh x[i] for every i < len(x), computing in
// float64 with math.Tanh; y may be x itself. float32 values are widened
// into a buffer first: widened one at a time inside the tanh loop, the
// float32 LSTMs ran 16% slower (most likely the scalar conversions, which
// merge into their destination register and so chain the elements).
func TanhInto[T Float](y, x []T) { activationInto(y, x, true) }

// activationInto is TanhInto (tanh) or SigmoidInto: float32 values go
// through a float64 buffer a chunk at a time.
func activationInto[T Float](y, x []T, tanh bool) {
	apply := func(dst, x []float64) {
		if tanh {
			for i, v := range x {
				dst[i] = math.Tanh(v)
			}
		} else {
			vmath.Sigmoid(dst, x)
		}
	}
	if x64, ok := any(x).([]float64); ok {
		apply(any(y).([]float64), x64)
		return
	}
	var buf [sigmoidChunk]float64
	for lo := 0; lo < len(x); lo += sigmoidChunk {
		xs := x[lo:min(lo+sigmoidChunk, len(x))]
		b := buf[:len(xs)]
		for i, v := range xs {
			b[i] = float64(v)
		}
		apply(b, b)
		ys := y[lo : lo+len(xs)]
		for i, v := range b {
			ys[i] = T(v)
		}
	}
}
