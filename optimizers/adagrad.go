package optimizers

import (
	"cmp"

	"gorgonia.org/tensor"
)

// AdagradConfig holds the hyperparameters of Adagrad, named as in
// torch.optim.Adagrad. Its zero value is PyTorch's defaults.
type AdagradConfig struct {
	// LR is the learning rate γ; 0 means 1e-2. (A learning rate of exactly
	// 0 is set with SetLR.)
	LR float64
	// LRDecay is η ≥ 0: step t uses γ / (1 + (t-1)η).
	LRDecay float64
	// WeightDecay is the L2 penalty λ ≥ 0 added to the gradient.
	WeightDecay float64
	// InitialAccumulatorValue ≥ 0 is the initial sum of squares.
	InitialAccumulatorValue float64
	// Eps is ε ≥ 0, added to the denominator; nil means 1e-10.
	Eps *float64
	// Maximize ascends the objective (the gradient is negated first).
	Maximize bool
}

// Adagrad is the method of Duchi, Hazan and Singer, "Adaptive Subgradient
// Methods for Online Learning and Stochastic Optimization" (2011), step
// for step as torch.optim.Adagrad (PyTorch 1.13). At step t:
//
//	g ← -g if maximize
//	g ← g + λθ              if λ ≠ 0
//	γ̃ ← γ / (1 + (t-1)η)
//	s ← s + g²
//	θ ← θ - γ̃ g / (√s + ε)
//
// Its state is "<param>.step" and "<param>.sum" (s).
type Adagrad struct {
	cfg AdagradConfig
	eps float64
	base
}

var _ Optimizer = (*Adagrad)(nil)

// NewAdagrad returns Adagrad with the given hyperparameters, checked as
// PyTorch checks them (every one ≥ 0).
func NewAdagrad(cfg AdagradConfig) (*Adagrad, error) {
	cfg.LR = cmp.Or(cfg.LR, 1e-2)
	o := &Adagrad{cfg: cfg, eps: orDefault(cfg.Eps, 1e-10)}
	o.cfg.Eps = nil
	if err := checkHypers("Adagrad",
		hyper{cfg.LR >= 0, "learning rate", cfg.LR},
		hyper{cfg.LRDecay >= 0, "lr_decay value", cfg.LRDecay},
		hyper{cfg.WeightDecay >= 0, "weight_decay value", cfg.WeightDecay},
		hyper{cfg.InitialAccumulatorValue >= 0, "initial_accumulator_value value", cfg.InitialAccumulatorValue},
		hyper{o.eps >= 0, "epsilon value", o.eps},
	); err != nil {
		return nil, err
	}
	o.base = base{lr: &o.cfg.LR, r: o, st: newStore("Adagrad", []string{"sum"}, []float64{cfg.InitialAccumulatorValue})}
	return o, nil
}

// Config returns the hyperparameters in use (LR is the current rate).
func (o *Adagrad) Config() AdagradConfig {
	c := o.cfg
	c.Eps = new(o.eps)
	return c
}

func (o *Adagrad) update(p Param, s *slot) {
	clr := o.cfg.LR / (1 + float64(s.step-1)*o.cfg.LRDecay)
	if s.dtype == tensor.Float64 {
		adagradKernel(p.Value.Float64s(), p.Grad.Float64s(), s.f64[0], -clr, o)
	} else {
		adagradKernel(p.Value.Float32s(), p.Grad.Float32s(), s.f32[0], -clr, o)
	}
}

// adagradKernel updates p in place as PyTorch's
// state_sum.addcmul_(g, g, value=1); std = state_sum.sqrt().add_(eps);
// param.addcdiv_(g, std, value=-clr).
func adagradKernel[T float](p, g, sum []T, negCLR float64, o *Adagrad) {
	n := len(p)
	g, sum = g[:n], sum[:n]
	maximize, wdOn := o.cfg.Maximize, o.cfg.WeightDecay != 0
	wd, eps, nclr := T(o.cfg.WeightDecay), T(o.eps), T(negCLR)
	for i, x := range p {
		d := gradOf(g[i], x, wd, maximize, wdOn)
		si := fma(d, d, sum[i])
		sum[i] = si
		p[i] = x + nclr*d/(sqrt(si)+eps)
	}
}
