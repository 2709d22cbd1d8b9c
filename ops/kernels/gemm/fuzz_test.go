package gemm

import (
	"math/rand/v2"
	"testing"
)

// FuzzGemm compares random products (sizes, transposes, paddings,
// alpha/beta from the fuzzer) against the reference, in both precisions.
func FuzzGemm(f *testing.F) {
	f.Add(uint8(3), uint8(5), uint8(7), uint8(0), uint8(0), uint8(1), int8(4), int8(0), uint64(1))
	f.Add(uint8(65), uint8(17), uint8(33), uint8(3), uint8(2), uint8(0), int8(-2), int8(3), uint64(2))
	f.Fuzz(func(t *testing.T, m, n, k, flags, pad, pc uint8, alpha, beta int8, seed uint64) {
		s := shape{
			tA: flags&1 != 0, tB: flags&2 != 0,
			m: int(m % 130), n: int(n % 130), k: int(k % 200),
			pa: int(pad % 4), pb: int(pad / 4 % 4), pc: int(pc % 4),
			alpha: float64(alpha) / 4, beta: float64(beta) / 4,
		}
		rng := rand.New(rand.NewPCG(seed, 14))
		compare[float64](t, rng, s, 1e-14)
		compare[float32](t, rng, s, 1e-5)
	})
}
