package optimizers

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// ClipGradValue clamps every gradient element into [-clip, clip] in place,
// as torch.nn.utils.clip_grad_value_: g ← min(max(g, -clip), clip). NaNs
// stay NaN; params with a nil Grad are skipped. It works with every
// optimizer: call it between computing gradients and Step.
func ClipGradValue(params []Param, clip float64) error {
	if isNaN(clip) {
		return fmt.Errorf("optimizers: ClipGradValue: clip value is NaN")
	}
	if err := checkGrads("ClipGradValue", params); err != nil {
		return err
	}
	for _, p := range params {
		switch {
		case p.Grad == nil:
		case p.Grad.Dtype() == tensor.Float64:
			clampSlice(p.Grad.Float64s(), -clip, clip)
		default:
			clampSlice(p.Grad.Float32s(), float32(-clip), float32(clip))
		}
	}
	return nil
}

func clampSlice[T float](g []T, lo, hi T) {
	for i, v := range g {
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		g[i] = v
	}
}

// ClipGradNorm scales all gradients in place so that their global norm is
// at most maxNorm, as torch.nn.utils.clip_grad_norm_, and returns the total
// norm before clipping. With n_i the normType-norm of param i's gradient,
//
//	total = ‖(n_1, …, n_k)‖_p   (max_i n_i for p = +Inf)
//	g ← g · min(maxNorm / (total + 1e-6), 1)
//
// The scaling is applied even when the coefficient is 1, as PyTorch does.
// normType is any p (2 is the Euclidean norm; +Inf the largest |g|; -Inf
// the smallest |g|; 0 the number of non-zero elements). Norms are summed in
// float64 for float32 gradients too. If errorIfNonfinite is true and the
// total is NaN or ±Inf, it returns the total and an error and leaves the
// gradients unchanged. Params with a nil Grad are skipped; with none, the
// total is 0.
func ClipGradNorm(params []Param, maxNorm, normType float64, errorIfNonfinite bool) (float64, error) {
	if isNaN(normType) || isNaN(maxNorm) {
		return 0, fmt.Errorf("optimizers: ClipGradNorm: max norm %v, norm type %v", maxNorm, normType)
	}
	if err := checkGrads("ClipGradNorm", params); err != nil {
		return 0, err
	}
	total := GradNorm(params, normType)
	if errorIfNonfinite && (isNaN(total) || math.IsInf(total, 0)) {
		return total, fmt.Errorf("optimizers: ClipGradNorm: the total norm of order %v for gradients is non-finite (%v), so it cannot be clipped", normType, total)
	}
	coef := math.Min(maxNorm/(total+1e-6), 1)
	if isNaN(coef) {
		coef = maxNorm / (total + 1e-6) // torch.clamp keeps NaN
	}
	for _, p := range params {
		switch {
		case p.Grad == nil:
		case p.Grad.Dtype() == tensor.Float64:
			scaleSlice(p.Grad.Float64s(), coef)
		default:
			scaleSlice(p.Grad.Float32s(), float32(coef))
		}
	}
	return total, nil
}

func scaleSlice[T float](g []T, c T) {
	for i := range g {
		g[i] *= c
	}
}

// GradNorm returns the global normType-norm of the gradients as
// ClipGradNorm computes it, without changing them (0 with no gradients):
// the norm of the vector of per-param norms, as PyTorch computes it.
// Non-float gradients are ignored (ClipGradNorm rejects them).
func GradNorm(params []Param, normType float64) float64 {
	total := 0.0 // +Inf: max of n_i; 0: count of n_i ≠ 0; else Σ n_iᵖ
	if math.IsInf(normType, -1) {
		total = math.Inf(1) // min of n_i
	}
	for _, p := range params {
		if p.Grad == nil || !isFloat(p.Grad.Dtype()) {
			continue
		}
		var n float64
		if p.Grad.Dtype() == tensor.Float64 {
			n = vectorNorm(p.Grad.Float64s(), normType)
		} else {
			n = vectorNorm(p.Grad.Float32s(), normType)
		}
		switch {
		case math.IsInf(normType, 1):
			total = nanMax(total, n)
		case math.IsInf(normType, -1):
			total = -nanMax(-total, -n)
		case normType == 0:
			if n != 0 {
				total++
			}
		case normType == 2:
			total += n * n
		default:
			total += math.Pow(n, normType)
		}
	}
	switch {
	case math.IsInf(normType, -1) && math.IsInf(total, 1):
		return 0 // no gradients
	case math.IsInf(normType, 0) || normType == 0:
		return total
	case normType == 2:
		return math.Sqrt(total)
	}
	return math.Pow(total, 1/normType)
}

// vectorNorm is torch.norm(g, p) for a flat vector: (Σ|gᵢ|ᵖ)^(1/p), max|gᵢ|
// for p = +Inf, min|gᵢ| for p = -Inf and the count of non-zeros for p = 0.
func vectorNorm[T float](g []T, p float64) float64 {
	switch {
	case math.IsInf(p, 1):
		m := 0.0
		for _, v := range g {
			m = nanMax(m, math.Abs(float64(v)))
		}
		return m
	case math.IsInf(p, -1):
		m := math.Inf(1)
		for _, v := range g {
			m = -nanMax(-m, -math.Abs(float64(v)))
		}
		return m
	case p == 0:
		c := 0.0
		for _, v := range g {
			if v != 0 {
				c++
			}
		}
		return c
	case p == 2:
		s := 0.0
		for _, v := range g {
			s = math.FMA(float64(v), float64(v), s)
		}
		return math.Sqrt(s)
	case p == 1:
		s := 0.0
		for _, v := range g {
			s += math.Abs(float64(v))
		}
		return s
	}
	s := 0.0
	for _, v := range g {
		s += math.Pow(math.Abs(float64(v)), p)
	}
	return math.Pow(s, 1/p)
}

// nanMax is max(a, b) propagating NaN, as torch.max does.
func nanMax(a, b float64) float64 {
	if a != a {
		return a
	}
	if b != b || b > a {
		return b
	}
	return a
}

// checkGrads checks that every non-nil Grad is a contiguous float tensor.
func checkGrads(fn string, params []Param) error {
	for i, p := range params {
		if p.Grad == nil {
			continue
		}
		if !isFloat(p.Grad.Dtype()) {
			return fmt.Errorf("optimizers: %s: param %d (%q): grad dtype %v; want float32 or float64", fn, i, p.Name, p.Grad.Dtype())
		}
		if err := checkContiguous(p.Grad); err != nil {
			return fmt.Errorf("optimizers: %s: param %d (%q): grad %v", fn, i, p.Name, err)
		}
	}
	return nil
}
