package kernels

import "github.com/symgrad/symgrad/ops/kernels/vmath"

// sigmoidChunk is how many elements SigmoidInto converts per pass.
const sigmoidChunk = 256

// SigmoidInto sets y[i] = σ(x[i]) for every i < len(x), computing in
// float64 with vmath.Sigmoid (several elements at a time where the CPU
// allows); y may be x itself.
func SigmoidInto[T Float](y, x []T) {
	if x64, ok := any(x).([]float64); ok {
		vmath.Sigmoid(any(y).([]float64), x64)
		return
	}
	var buf [sigmoidChunk]float64
	for lo := 0; lo < len(x); lo += sigmoidChunk {
		xs := x[lo:min(lo+sigmoidChunk, len(x))]
		b := buf[:len(xs)]
		for i, v := range xs {
			b[i] = float64(v)
		}
		vmath.Sigmoid(b, b)
		ys := y[lo : lo+len(xs)]
		for i, v := range b {
			ys[i] = T(v)
		}
	}
}
