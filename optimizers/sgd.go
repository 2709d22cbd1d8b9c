package optimizers

import (
	"cmp"
	"fmt"

	"gorgonia.org/tensor"
)

// SGDConfig holds the hyperparameters of SGD, named as in torch.optim.SGD.
// Its zero value is PyTorch's defaults except LR (which PyTorch 1.13
// requires; 0 here means 1e-3, PyTorch 2's default).
type SGDConfig struct {
	// LR is the learning rate γ; 0 means 1e-3. (A learning rate of exactly
	// 0 is set with SetLR.)
	LR float64
	// Momentum is μ, 0 for plain SGD.
	Momentum float64
	// Dampening is τ, applied from the second step on.
	Dampening float64
	// WeightDecay is the L2 penalty λ added to the gradient.
	WeightDecay float64
	// Nesterov uses Nesterov momentum; it needs Momentum > 0 and Dampening 0.
	Nesterov bool
	// Maximize ascends the objective (the gradient is negated first).
	Maximize bool
}

// SGD is stochastic gradient descent with optional momentum, dampening,
// Nesterov momentum and weight decay, step for step as torch.optim.SGD
// (PyTorch 1.13):
//
//	g ← -g if maximize
//	g ← g + λθ                         if λ ≠ 0
//	b ← g (first step), b ← μb + (1-τ)g  if μ ≠ 0
//	g ← g + μb (Nesterov) or g ← b      if μ ≠ 0
//	θ ← θ - γg
//
// Its state is "<param>.step" and, if μ ≠ 0, "<param>.momentum_buffer".
type SGD struct {
	cfg SGDConfig
	base
}

var _ Optimizer = (*SGD)(nil)

// NewSGD returns SGD with the given hyperparameters, checked as PyTorch
// checks them: LR, Momentum and WeightDecay must be ≥ 0, and Nesterov
// needs Momentum > 0 and Dampening = 0.
func NewSGD(cfg SGDConfig) (*SGD, error) {
	cfg.LR = cmp.Or(cfg.LR, 1e-3)
	if err := checkHypers("SGD",
		hyper{cfg.LR >= 0, "learning rate", cfg.LR},
		hyper{cfg.Momentum >= 0, "momentum value", cfg.Momentum},
		hyper{cfg.WeightDecay >= 0, "weight_decay value", cfg.WeightDecay},
		hyper{!isNaN(cfg.Dampening), "dampening value", cfg.Dampening},
	); err != nil {
		return nil, err
	}
	if cfg.Nesterov && (cfg.Momentum <= 0 || cfg.Dampening != 0) {
		return nil, fmt.Errorf("optimizers: SGD: Nesterov momentum requires a momentum and zero dampening (momentum %v, dampening %v)", cfg.Momentum, cfg.Dampening)
	}
	var names []string
	if cfg.Momentum != 0 {
		names = []string{"momentum_buffer"}
	}
	o := &SGD{cfg: cfg}
	o.base = base{lr: &o.cfg.LR, r: o, st: newStore("SGD", names, []float64{0})}
	return o, nil
}

// NewMomentum returns SGD with (heavy-ball) momentum μ:
// b ← μb + g, θ ← θ - γb.
func NewMomentum(lr, momentum float64) (*SGD, error) {
	return NewSGD(SGDConfig{LR: lr, Momentum: momentum})
}

// NewNesterov returns SGD with Nesterov momentum μ > 0 as PyTorch
// formulates it: b ← μb + g, θ ← θ - γ(g + μb).
func NewNesterov(lr, momentum float64) (*SGD, error) {
	return NewSGD(SGDConfig{LR: lr, Momentum: momentum, Nesterov: true})
}

// Config returns the hyperparameters in use, defaults filled in (LR is
// the current learning rate).
func (o *SGD) Config() SGDConfig { return o.cfg }

func (o *SGD) update(p Param, s *slot) {
	first := s.step == 1
	if s.dtype == tensor.Float64 {
		sgdKernel(p.Value.Float64s(), p.Grad.Float64s(), firstOrNil(s.f64), &o.cfg, first)
	} else {
		sgdKernel(p.Value.Float32s(), p.Grad.Float32s(), firstOrNil(s.f32), &o.cfg, first)
	}
}

// firstOrNil returns the first buffer, nil if there is none.
func firstOrNil[T float](bufs [][]T) []T {
	if len(bufs) == 0 {
		return nil
	}
	return bufs[0]
}

// sgdKernel updates p in place; buf is the momentum buffer (nil without
// momentum) and first says whether this is the param's first step. The
// options are tested once per call: plain SGD and heavy-ball momentum
// (after the first step) have loops of their own.
func sgdKernel[T float](p, g, buf []T, c *SGDConfig, first bool) {
	g = g[:len(p)]
	negLR, mom := T(-c.LR), T(c.Momentum)
	if c.Maximize || c.WeightDecay != 0 {
		sgdGeneral(p, g, buf, c, first)
		return
	}
	switch {
	case c.Momentum == 0:
		sgdPlainFrom(sgdBlocks(p, g, nil, negLR, 0, 0), p, g, negLR)
	case !first && !c.Nesterov:
		buf, keep := buf[:len(p)], T(1-c.Dampening)
		sgdMomentumFrom(sgdBlocks(p, g, buf, negLR, keep, mom), p, g, buf, negLR, keep, mom)
	default:
		sgdGeneral(p, g, buf, c, first)
	}
}

// sgdPlainFrom is plain SGD's loop, p ← fma(negLR, g, p), from element i0
// on. Where the CPU has AVX2 and FMA, the generated kernel (step_amd64.s)
// has computed the blocks of four before i0 (sgdBlocks), bit for bit this
// loop (TestSGDKernelsAreTheLoops).
func sgdPlainFrom[T float](i0 int, p, g []T, negLR T) {
	for i := i0; i < len(p); i++ {
		p[i] = fma(negLR, g[i], p[i])
	}
}

// sgdMomentumFrom is heavy-ball SGD's loop after the first step,
// b ← fma(keep, g, b·mom), p ← fma(negLR, b, p), from element i0 on (the
// blocks before it as in sgdPlainFrom).
func sgdMomentumFrom[T float](i0 int, p, g, buf []T, negLR, keep, mom T) {
	for i := i0; i < len(p); i++ {
		b := fma(keep, g[i], buf[i]*mom)
		buf[i] = b
		p[i] = fma(negLR, b, p[i])
	}
}

// sgdGeneral is sgdKernel with every option.
func sgdGeneral[T float](p, g, buf []T, c *SGDConfig, first bool) {
	momOn, wdOn := c.Momentum != 0, c.WeightDecay != 0
	if momOn {
		buf = buf[:len(p)]
	}
	negLR, wd := T(-c.LR), T(c.WeightDecay)
	mom, keep := T(c.Momentum), T(1-c.Dampening)
	for i, x := range p {
		d := gradOf(g[i], x, wd, c.Maximize, wdOn)
		if momOn {
			b := d
			if !first {
				b = fma(keep, d, buf[i]*mom)
			}
			buf[i] = b
			if c.Nesterov {
				d = fma(mom, b, d)
			} else {
				d = b
			}
		}
		p[i] = fma(negLR, d, x)
	}
}

func isNaN(x float64) bool { return x != x }
