package optimizers

import (
	"cmp"
	"math"

	"gorgonia.org/tensor"
)

// AdamConfig holds the hyperparameters of Adam, named as in
// torch.optim.Adam. Its zero value is PyTorch's defaults.
type AdamConfig struct {
	// LR is the learning rate γ; 0 means 1e-3. (A learning rate of exactly
	// 0 is set with SetLR.)
	LR float64
	// Betas are (β1, β2), each in [0, 1); nil means (0.9, 0.999).
	Betas *[2]float64
	// Eps is ε ≥ 0, added to the denominator; nil means 1e-8.
	Eps *float64
	// WeightDecay is the L2 penalty λ added to the gradient.
	WeightDecay float64
	// AMSGrad divides by the running maximum of the second moment.
	AMSGrad bool
	// Maximize ascends the objective (the gradient is negated first).
	Maximize bool
}

// DefaultAdamWWeightDecay is torch.optim.AdamW's default weight_decay.
const DefaultAdamWWeightDecay = 1e-2

// AdamWConfig holds the hyperparameters of AdamW, named as in
// torch.optim.AdamW. Its zero value is PyTorch's defaults except
// WeightDecay, which is 0 (no decay) as in AdamConfig: write
// WeightDecay: DefaultAdamWWeightDecay for PyTorch's 0.01.
type AdamWConfig struct {
	// LR, Betas and Eps are AdamConfig's (their zero values are the same
	// defaults).
	LR    float64
	Betas *[2]float64
	Eps   *float64
	// WeightDecay is the decoupled weight decay λ ≥ 0, used as written as
	// AdamConfig.WeightDecay is: 0 is no decay. PyTorch's default is
	// DefaultAdamWWeightDecay (0.01); write it to get torch.optim.AdamW's
	// behaviour when weight_decay is not given.
	WeightDecay float64
	// AMSGrad and Maximize are AdamConfig's.
	AMSGrad, Maximize bool
}

// Adam is the Adam method of Kingma and Ba, "Adam: A Method for Stochastic
// Optimization" (2014), with optional AMSGrad (Reddi et al., "On the
// Convergence of Adam and Beyond", 2018), step for step as
// torch.optim.Adam (PyTorch 1.13). At step t:
//
//	g ← -g if maximize
//	g ← g + λθ                   if λ ≠ 0
//	m ← β1 m + (1-β1) g
//	v ← β2 v + (1-β2) g²
//	v̂ ← max(v̂, v) (AMSGrad), else v̂ = v
//	θ ← θ - (γ / (1-β1ᵗ)) · m / (√v̂ / √(1-β2ᵗ) + ε)
//
// Its state is "<param>.step", "<param>.exp_avg" (m), "<param>.exp_avg_sq"
// (v) and, with AMSGrad, "<param>.max_exp_avg_sq" (v̂).
type Adam struct {
	base
	c adamCore
}

// AdamW is Adam with decoupled weight decay (Loshchilov and Hutter,
// "Decoupled Weight Decay Regularization", 2019), step for step as
// torch.optim.AdamW (PyTorch 1.13): Adam with λ = 0, after first
// θ ← θ(1 - γλ). Its state is named as Adam's.
type AdamW struct {
	base
	c adamCore
}

var (
	_ Optimizer = (*Adam)(nil)
	_ Optimizer = (*AdamW)(nil)
)

// adamCore implements both Adam and AdamW.
type adamCore struct {
	lr, beta1, beta2, eps, wd  float64
	decoupled, amsgrad, maxmze bool
	names                      []string // the state's buffers
}

// NewAdam returns Adam with the given hyperparameters, checked as PyTorch
// checks them (LR, Eps, WeightDecay ≥ 0; 0 ≤ β < 1).
func NewAdam(cfg AdamConfig) (*Adam, error) {
	c, err := newAdamCore("Adam", cfg.LR, cfg.Betas, cfg.Eps, cfg.WeightDecay, cfg.AMSGrad, cfg.Maximize)
	if err != nil {
		return nil, err
	}
	o := &Adam{c: *c}
	o.base = o.c.newBase()
	return o, nil
}

// NewAdamW returns AdamW with the given hyperparameters, checked as
// PyTorch checks them (LR, Eps, WeightDecay ≥ 0; 0 ≤ β < 1).
func NewAdamW(cfg AdamWConfig) (*AdamW, error) {
	c, err := newAdamCore("AdamW", cfg.LR, cfg.Betas, cfg.Eps, cfg.WeightDecay, cfg.AMSGrad, cfg.Maximize)
	if err != nil {
		return nil, err
	}
	c.decoupled = true
	o := &AdamW{c: *c}
	o.base = o.c.newBase()
	return o, nil
}

func newAdamCore(name string, lr float64, betas *[2]float64, eps *float64, wd float64, ams, maxmze bool) (*adamCore, error) {
	c := &adamCore{lr: cmp.Or(lr, 1e-3), beta1: 0.9, beta2: 0.999, eps: orDefault(eps, 1e-8), wd: wd, amsgrad: ams, maxmze: maxmze}
	if betas != nil {
		c.beta1, c.beta2 = betas[0], betas[1]
	}
	if err := checkHypers(name,
		hyper{c.lr >= 0, "learning rate", c.lr},
		hyper{c.eps >= 0, "epsilon value", c.eps},
		hyper{c.beta1 >= 0 && c.beta1 < 1, "beta parameter at index 0", c.beta1},
		hyper{c.beta2 >= 0 && c.beta2 < 1, "beta parameter at index 1", c.beta2},
		hyper{c.wd >= 0, "weight_decay value", c.wd},
	); err != nil {
		return nil, err
	}
	names := []string{"exp_avg", "exp_avg_sq"}
	if ams {
		names = append(names, "max_exp_avg_sq")
	}
	c.names = names
	return c, nil
}

// base returns the optimizer methods of the Adam or AdamW holding c, named
// by c's settings.
func (c *adamCore) newBase() base {
	name := "Adam"
	if c.decoupled {
		name = "AdamW"
	}
	return base{lr: &c.lr, r: c, st: newStore(name, c.names, []float64{0, 0, 0})}
}

// orDefault returns *p, or def if p is nil.
func orDefault[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// Config returns the hyperparameters in use (LR is the current rate).
func (o *Adam) Config() AdamConfig {
	c := &o.c
	return AdamConfig{LR: c.lr, Betas: &[2]float64{c.beta1, c.beta2}, Eps: new(c.eps),
		WeightDecay: c.wd, AMSGrad: c.amsgrad, Maximize: c.maxmze}
}

// Config returns the hyperparameters in use (LR is the current rate).
func (o *AdamW) Config() AdamWConfig {
	c := &o.c
	return AdamWConfig{LR: c.lr, Betas: &[2]float64{c.beta1, c.beta2}, Eps: new(c.eps),
		WeightDecay: c.wd, AMSGrad: c.amsgrad, Maximize: c.maxmze}
}

// adamStep holds the scalars of one Adam step, computed in float64 in
// PyTorch's order before they are cast to the tensor's dtype.
type adamStep struct {
	b1, c1, b2, c2, bc2sqrt, eps, negStepSize, wd, decay float64
	amsgrad, maximize                                    bool
}

func (c *adamCore) update(p Param, s *slot) {
	h := adamStep{b1: c.beta1, c1: 1 - c.beta1, b2: c.beta2, c2: 1 - c.beta2, eps: c.eps,
		amsgrad: c.amsgrad, maximize: c.maxmze, decay: 1}
	bc1 := 1 - powi(c.beta1, s.step)
	h.bc2sqrt = math.Sqrt(1 - powi(c.beta2, s.step))
	h.negStepSize = -(c.lr / bc1)
	if c.decoupled {
		h.decay = 1 - c.lr*c.wd
	} else {
		h.wd = c.wd
	}
	if s.dtype == tensor.Float64 {
		adamKernel(p.Value.Float64s(), p.Grad.Float64s(), s.f64, &h)
	} else {
		adamKernel(p.Value.Float32s(), p.Grad.Float32s(), s.f32, &h)
	}
}

// adamKernel updates p in place; b holds exp_avg, exp_avg_sq and (with
// AMSGrad) max_exp_avg_sq. It mirrors PyTorch's tensor operations:
// param.mul_(decay); exp_avg.mul_(β1).add_(g, alpha=1-β1);
// exp_avg_sq.mul_(β2).addcmul_(g, g, value=1-β2);
// denom = (v.sqrt() / bc2sqrt).add_(eps); param.addcdiv_(m, denom, value=-step_size).
// The options are tested once per call, not per element: the common case
// (no maximize, decay, weight decay or AMSGrad) has a loop of its own.
func adamKernel[T float](p, g []T, b [][]T, h *adamStep) {
	if !h.amsgrad && !h.maximize && T(h.decay) == 1 && T(h.wd) == 0 {
		adamPlain(p, g, b[0], b[1], h)
		return
	}
	adamGeneral(p, g, b, h)
}

// adamPlain is adamKernel without maximize, decay, weight decay or AMSGrad:
// the same operations as adamGeneral, in the same order. Where the CPU
// has AVX2 and FMA, the generated kernel (step_amd64.s) computes the
// blocks of four, bit for bit this loop (TestAdamKernelIsAdamPlain).
func adamPlain[T float](p, g, m, v []T, h *adamStep) {
	n := len(p)
	g, m, v = g[:n], m[:n], v[:n]
	adamPlainFrom(adamBlocks(p, g, m, v, h), p, g, m, v, h)
}

// adamPlainFrom is adamPlain's loop from element i0 on.
func adamPlainFrom[T float](i0 int, p, g, m, v []T, h *adamStep) {
	b1, c1, b2, c2 := T(h.b1), T(h.c1), T(h.b2), T(h.c2)
	bc2sqrt, eps, negStep := T(h.bc2sqrt), T(h.eps), T(h.negStepSize)
	for i := i0; i < len(p); i++ {
		x, d := p[i], g[i]
		mi := fma(c1, d, m[i]*b1)
		vi := fma(c2*d, d, v[i]*b2)
		m[i], v[i] = mi, vi
		p[i] = x + negStep*mi/(sqrt(vi)/bc2sqrt+eps)
	}
}

// adamGeneral is adamKernel with every option.
func adamGeneral[T float](p, g []T, b [][]T, h *adamStep) {
	n := len(p)
	g, m, v := g[:n], b[0][:n], b[1][:n]
	var vmax []T
	if h.amsgrad {
		vmax = b[2][:n]
	}
	b1, c1, b2, c2 := T(h.b1), T(h.c1), T(h.b2), T(h.c2)
	bc2sqrt, eps, negStep, wd, decay := T(h.bc2sqrt), T(h.eps), T(h.negStepSize), T(h.wd), T(h.decay)
	wdOn := wd != 0
	for i, x := range p {
		if decay != 1 {
			x *= decay
		}
		d := gradOf(g[i], x, wd, h.maximize, wdOn)
		mi := fma(c1, d, m[i]*b1)
		vi := fma(c2*d, d, v[i]*b2)
		m[i], v[i] = mi, vi
		if h.amsgrad {
			if mx := vmax[i]; !(vi > mx || vi != vi) {
				vi = mx // torch.maximum: the larger, NaN if either is NaN
			}
			vmax[i] = vi
		}
		den := sqrt(vi)/bc2sqrt + eps
		p[i] = x + negStep*mi/den
	}
}

// powi returns bⁿ correctly rounded (in all but pathological cases), as
// C's pow, which PyTorch's beta ** step calls, does; math.Pow can be a few
// ulps off. It squares in double-double arithmetic.
func powi(b float64, n int64) float64 {
	rh, rl := 1.0, 0.0
	xh, xl := b, 0.0
	for k := n; k > 0; k >>= 1 {
		if k&1 == 1 {
			rh, rl = mulDD(rh, rl, xh, xl)
		}
		xh, xl = mulDD(xh, xl, xh, xl)
	}
	if r := rh + rl; !math.IsNaN(r) && !math.IsInf(r, 0) {
		return r
	}
	return math.Pow(b, float64(n)) // NaN, ±Inf or overflow
}

// mulDD multiplies two double-double numbers (ah+al)(bh+bl).
func mulDD(ah, al, bh, bl float64) (hi, lo float64) {
	p := ah * bh
	e := math.FMA(ah, bh, -p) + (ah*bl + al*bh)
	hi = p + e
	return hi, e - (hi - p)
}
