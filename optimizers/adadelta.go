package optimizers

import (
	"cmp"

	"gorgonia.org/tensor"
)

// AdadeltaConfig holds the hyperparameters of Adadelta, named as in
// torch.optim.Adadelta. Its zero value is PyTorch's defaults.
type AdadeltaConfig struct {
	// LR is the coefficient γ that scales the update; 0 means 1.0. (A
	// learning rate of exactly 0 is set with SetLR.)
	LR float64
	// Rho is the decay ρ in [0, 1]; nil means 0.9.
	Rho *float64
	// Eps is ε ≥ 0, added inside both square roots; nil means 1e-6.
	Eps *float64
	// WeightDecay is the L2 penalty λ ≥ 0 added to the gradient.
	WeightDecay float64
	// Maximize ascends the objective (the gradient is negated first).
	Maximize bool
}

// Adadelta is the method of Zeiler, "ADADELTA: An Adaptive Learning Rate
// Method" (2012), step for step as torch.optim.Adadelta (PyTorch 1.13):
//
//	g ← -g if maximize
//	g ← g + λθ                      if λ ≠ 0
//	v ← ρv + (1-ρ)g²
//	Δ ← √(u + ε) / √(v + ε) · g
//	u ← ρu + (1-ρ)Δ²
//	θ ← θ - γΔ
//
// Its state is "<param>.step", "<param>.square_avg" (v) and
// "<param>.acc_delta" (u).
type Adadelta struct {
	cfg      AdadeltaConfig
	rho, eps float64
	base
}

var _ Optimizer = (*Adadelta)(nil)

// NewAdadelta returns Adadelta with the given hyperparameters, checked as
// PyTorch checks them (LR, Eps, WeightDecay ≥ 0; 0 ≤ ρ ≤ 1).
func NewAdadelta(cfg AdadeltaConfig) (*Adadelta, error) {
	cfg.LR = cmp.Or(cfg.LR, 1)
	o := &Adadelta{cfg: cfg, rho: orDefault(cfg.Rho, 0.9), eps: orDefault(cfg.Eps, 1e-6)}
	o.cfg.Rho, o.cfg.Eps = nil, nil
	if err := checkHypers("Adadelta",
		hyper{cfg.LR >= 0, "learning rate", cfg.LR},
		hyper{o.rho >= 0 && o.rho <= 1, "rho value", o.rho},
		hyper{o.eps >= 0, "epsilon value", o.eps},
		hyper{cfg.WeightDecay >= 0, "weight_decay value", cfg.WeightDecay},
	); err != nil {
		return nil, err
	}
	o.base = base{lr: &o.cfg.LR, r: o, st: newStore("Adadelta", []string{"square_avg", "acc_delta"}, []float64{0, 0})}
	return o, nil
}

// Config returns the hyperparameters in use (LR is the current rate).
func (o *Adadelta) Config() AdadeltaConfig {
	c := o.cfg
	c.Rho, c.Eps = new(o.rho), new(o.eps)
	return c
}

func (o *Adadelta) update(p Param, s *slot) {
	if s.dtype == tensor.Float64 {
		adadeltaKernel(p.Value.Float64s(), p.Grad.Float64s(), s.f64[0], s.f64[1], o)
	} else {
		adadeltaKernel(p.Value.Float32s(), p.Grad.Float32s(), s.f32[0], s.f32[1], o)
	}
}

// adadeltaKernel updates p in place as PyTorch's
// square_avg.mul_(ρ).addcmul_(g, g, value=1-ρ); std = square_avg.add(eps).sqrt_();
// delta = acc_delta.add(eps).sqrt_().div_(std).mul_(g);
// acc_delta.mul_(ρ).addcmul_(delta, delta, value=1-ρ); param.add_(delta, alpha=-lr).
func adadeltaKernel[T float](p, g, sq, acc []T, o *Adadelta) {
	n := len(p)
	g, sq, acc = g[:n], sq[:n], acc[:n]
	maximize, wdOn := o.cfg.Maximize, o.cfg.WeightDecay != 0
	rho, keep, eps := T(o.rho), T(1-o.rho), T(o.eps)
	negLR, wd := T(-o.cfg.LR), T(o.cfg.WeightDecay)
	for i, x := range p {
		d := gradOf(g[i], x, wd, maximize, wdOn)
		v := fma(keep*d, d, sq[i]*rho)
		sq[i] = v
		std := sqrt(v + eps)
		delta := sqrt(acc[i]+eps) / std * d
		acc[i] = fma(keep*delta, delta, acc[i]*rho)
		p[i] = fma(negLR, delta, x)
	}
}
