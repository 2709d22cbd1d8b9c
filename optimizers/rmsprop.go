package optimizers

import (
	"cmp"

	"gorgonia.org/tensor"
)

// RMSpropConfig holds the hyperparameters of RMSprop, named as in
// torch.optim.RMSprop. Its zero value is PyTorch's defaults.
type RMSpropConfig struct {
	// LR is the learning rate γ; 0 means 1e-2. (A learning rate of exactly
	// 0 is set with SetLR.)
	LR float64
	// Alpha is the smoothing constant α ≥ 0; nil means 0.99.
	Alpha *float64
	// Eps is ε ≥ 0, added to the denominator; nil means 1e-8.
	Eps *float64
	// WeightDecay is the L2 penalty λ ≥ 0 added to the gradient.
	WeightDecay float64
	// Momentum is μ ≥ 0, 0 for none.
	Momentum float64
	// Centered divides by an estimate of the gradient's variance instead of
	// its uncentered second moment.
	Centered bool
	// Maximize ascends the objective (the gradient is negated first).
	Maximize bool
}

// RMSprop is the method of Hinton's lecture 6e ("Neural Networks for
// Machine Learning", 2012), centered as in Graves, "Generating Sequences
// With Recurrent Neural Networks" (2013), step for step as
// torch.optim.RMSprop (PyTorch 1.13):
//
//	g ← -g if maximize
//	g ← g + λθ                      if λ ≠ 0
//	v ← αv + (1-α)g²
//	ḡ ← αḡ + (1-α)g, a ← √(v - ḡ²) + ε  (centered)
//	a ← √v + ε                        (not centered)
//	b ← μb + g/a, θ ← θ - γb          if μ > 0
//	θ ← θ - γg/a                      if μ = 0
//
// Its state is "<param>.step", "<param>.square_avg" (v), with momentum
// "<param>.momentum_buffer" (b) and, centered, "<param>.grad_avg" (ḡ).
type RMSprop struct {
	cfg        RMSpropConfig
	alpha, eps float64
	base
}

var _ Optimizer = (*RMSprop)(nil)

// NewRMSprop returns RMSprop with the given hyperparameters, checked as
// PyTorch checks them (every one ≥ 0).
func NewRMSprop(cfg RMSpropConfig) (*RMSprop, error) {
	cfg.LR = cmp.Or(cfg.LR, 1e-2)
	o := &RMSprop{cfg: cfg, alpha: orDefault(cfg.Alpha, 0.99), eps: orDefault(cfg.Eps, 1e-8)}
	o.cfg.Alpha, o.cfg.Eps = nil, nil
	if err := checkHypers("RMSprop",
		hyper{cfg.LR >= 0, "learning rate", cfg.LR},
		hyper{o.eps >= 0, "epsilon value", o.eps},
		hyper{cfg.Momentum >= 0, "momentum value", cfg.Momentum},
		hyper{cfg.WeightDecay >= 0, "weight_decay value", cfg.WeightDecay},
		hyper{o.alpha >= 0, "alpha value", o.alpha},
	); err != nil {
		return nil, err
	}
	names := []string{"square_avg"}
	if cfg.Momentum > 0 {
		names = append(names, "momentum_buffer")
	}
	if cfg.Centered {
		names = append(names, "grad_avg")
	}
	o.base = base{lr: &o.cfg.LR, r: o, st: newStore("RMSprop", names, []float64{0, 0, 0})}
	return o, nil
}

// Config returns the hyperparameters in use (LR is the current rate).
func (o *RMSprop) Config() RMSpropConfig {
	c := o.cfg
	c.Alpha, c.Eps = new(o.alpha), new(o.eps)
	return c
}

func (o *RMSprop) update(p Param, s *slot) {
	if s.dtype == tensor.Float64 {
		rmspropKernel(p.Value.Float64s(), p.Grad.Float64s(), s.f64, o)
	} else {
		rmspropKernel(p.Value.Float32s(), p.Grad.Float32s(), s.f32, o)
	}
}

// rmspropKernel updates p in place as PyTorch's
// square_avg.mul_(α).addcmul_(g, g, value=1-α);
// grad_avg.mul_(α).add_(g, alpha=1-α); avg = square_avg.addcmul(grad_avg,
// grad_avg, value=-1).sqrt_().add_(eps) (or square_avg.sqrt().add_(eps));
// buf.mul_(μ).addcdiv_(g, avg); param.add_(buf, alpha=-lr) (or
// param.addcdiv_(g, avg, value=-lr)).
func rmspropKernel[T float](p, g []T, b [][]T, o *RMSprop) {
	n := len(p)
	g, sq := g[:n], b[0][:n]
	c := &o.cfg
	momOn, wdOn := c.Momentum > 0, c.WeightDecay != 0
	var buf, gavg []T
	if momOn {
		buf = b[1][:n]
	}
	if c.Centered {
		gavg = b[len(b)-1][:n]
	}
	alpha, keep, eps := T(o.alpha), T(1-o.alpha), T(o.eps)
	negLR, wd, mom := T(-c.LR), T(c.WeightDecay), T(c.Momentum)
	for i, x := range p {
		d := gradOf(g[i], x, wd, c.Maximize, wdOn)
		v := fma(keep*d, d, sq[i]*alpha)
		sq[i] = v
		if c.Centered {
			ga := fma(keep, d, gavg[i]*alpha)
			gavg[i] = ga
			v = fma(-ga, ga, v)
		}
		avg := sqrt(v) + eps
		if momOn {
			bi := buf[i]*mom + d/avg
			buf[i] = bi
			p[i] = fma(negLR, bi, x)
		} else {
			p[i] = x + negLR*d/avg
		}
	}
}
