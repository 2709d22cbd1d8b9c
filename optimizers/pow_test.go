package optimizers

import "math/big"

// powExact returns bⁿ computed with 2000-bit floats (so that rounding it
// once to float64 gives the correctly rounded result).
func powExact(b float64, n int64) float64 {
	const prec = 2000
	x := new(big.Float).SetPrec(prec).SetFloat64(b)
	r := new(big.Float).SetPrec(prec).SetFloat64(1)
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			r.Mul(r, x)
		}
		x.Mul(x, x)
	}
	f, _ := r.Float64()
	return f
}
