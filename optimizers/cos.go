package optimizers

import (
	"math"
	"math/big"
)

// piDigits is π to 100 significant digits.
const piDigits = "3.141592653589793238462643383279502884197169399375105820974944592307816406286208998628034825342117068"

// cosRounded returns cos(x) correctly rounded, as C's cos (which PyTorch's
// schedulers call through Python's math.cos) returns it in all but rare
// cases; math.Cos can be an ulp or two off, which the recursive cosine
// schedule would accumulate. It works in 256-bit floats: schedules call it
// once per epoch.
func cosRounded(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return math.NaN()
	}
	const prec = 256
	pi, _, _ := big.ParseFloat(piDigits, 10, prec, big.ToNearestEven)
	twoPi := new(big.Float).SetPrec(prec).Mul(pi, big.NewFloat(2))
	r := new(big.Float).SetPrec(prec).SetFloat64(math.Abs(x))
	// r ← r - 2π·⌊r/2π⌋, then cos(r) = Σ (-1)ᵏ r²ᵏ/(2k)!.
	q := new(big.Float).SetPrec(prec).Quo(r, twoPi)
	k, _ := q.Int(nil)
	r.Sub(r, new(big.Float).SetPrec(prec).Mul(new(big.Float).SetPrec(prec).SetInt(k), twoPi))
	r2 := new(big.Float).SetPrec(prec).Mul(r, r)
	term := new(big.Float).SetPrec(prec).SetFloat64(1)
	sum := new(big.Float).SetPrec(prec).SetFloat64(1)
	for n := int64(1); n < 200; n++ {
		term.Mul(term, r2)
		term.Quo(term, new(big.Float).SetInt64(-(2*n-1)*(2*n)))
		sum.Add(sum, term)
		if term.Sign() == 0 || term.MantExp(nil)-sum.MantExp(nil) < -prec {
			break
		}
	}
	f, _ := sum.Float64()
	return f
}
