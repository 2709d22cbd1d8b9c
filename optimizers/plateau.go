package optimizers

import (
	"fmt"
	"math"

	"github.com/symgrad/symgrad/internal/typednil"
)

// PlateauConfig holds the settings of ReduceLROnPlateau, named as in
// torch.optim.lr_scheduler.ReduceLROnPlateau. Its zero value is PyTorch's
// defaults except Patience, which is used as written (0 cuts the rate after
// the first epoch without improvement): write Patience: DefaultPatience for
// PyTorch's 10.
type PlateauConfig struct {
	// Mode is "min" (the metric should fall; "" means "min") or "max".
	Mode string
	// Factor < 1 multiplies the rate on a plateau; nil means 0.1.
	Factor *float64
	// Patience is how many epochs without improvement are tolerated
	// before the rate is cut, as written (PyTorch's patience); PyTorch's
	// default is DefaultPatience.
	Patience int
	// Threshold is the least change that counts as an improvement; nil
	// means 1e-4.
	Threshold *float64
	// ThresholdMode is "rel" (best·(1 ∓ threshold); "" means "rel") or "abs"
	// (best ∓ threshold).
	ThresholdMode string
	// Cooldown is how many epochs to wait after a cut before counting bad
	// epochs again.
	Cooldown int
	// MinLR is the lower bound of the rate.
	MinLR float64
	// Eps: a cut smaller than Eps is not applied; nil means 1e-8.
	Eps *float64
}

// DefaultPatience is ReduceLROnPlateau's default patience in PyTorch.
const DefaultPatience = 10

// ReduceLROnPlateau cuts the learning rate by a factor when a metric stops
// improving, step for step as torch.optim.lr_scheduler.ReduceLROnPlateau
// (PyTorch 1.13). After each epoch, Step(metric):
//
//	better: metric < best·(1-threshold) (min, rel), < best - threshold
//	        (min, abs), > best·(1+threshold) (max, rel), > best + threshold
//	        (max, abs); best starts at +Inf (min) or -Inf (max)
//	if better: best ← metric, bad ← 0, else bad ← bad + 1
//	if cooling down: cooldown ← cooldown - 1, bad ← 0
//	if bad > patience: γ' = max(γ·factor, minLR), applied if γ - γ' > eps;
//	        cooldown ← Cooldown, bad ← 0
type ReduceLROnPlateau struct {
	opt                           LRSetter
	min, rel                      bool
	factor, threshold, minLR, eps float64
	patience, cooldown            int
	best                          float64
	bad, cooling, epoch           int
	lastLR                        float64
}

// NewReduceLROnPlateau returns a ReduceLROnPlateau on opt, checking cfg as
// PyTorch does (Factor < 1, known modes).
func NewReduceLROnPlateau(opt LRSetter, cfg PlateauConfig) (*ReduceLROnPlateau, error) {
	if typednil.Is(opt) {
		return nil, fmt.Errorf("optimizers: ReduceLROnPlateau: nil optimizer")
	}
	r := &ReduceLROnPlateau{opt: opt, factor: orDefault(cfg.Factor, 0.1), patience: cfg.Patience,
		threshold: orDefault(cfg.Threshold, 1e-4), cooldown: cfg.Cooldown, minLR: cfg.MinLR,
		eps: orDefault(cfg.Eps, 1e-8), lastLR: opt.LR()}
	if cfg.Patience < 0 {
		return nil, fmt.Errorf("optimizers: ReduceLROnPlateau: patience %d is negative (PyTorch's default is DefaultPatience, %d)", cfg.Patience, DefaultPatience)
	}
	var known bool
	if r.min, known = isFirstOf(cfg.Mode, "min", "max"); !known {
		return nil, fmt.Errorf("optimizers: ReduceLROnPlateau: mode %q is unknown (min or max)", cfg.Mode)
	}
	if r.rel, known = isFirstOf(cfg.ThresholdMode, "rel", "abs"); !known {
		return nil, fmt.Errorf("optimizers: ReduceLROnPlateau: threshold mode %q is unknown (rel or abs)", cfg.ThresholdMode)
	}
	if !(r.factor < 1) {
		return nil, fmt.Errorf("optimizers: ReduceLROnPlateau: factor %v, want < 1", r.factor)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"threshold", r.threshold}, {"min_lr", r.minLR}, {"eps", r.eps}} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return nil, fmt.Errorf("optimizers: ReduceLROnPlateau: %s %v, want a finite number ≥ 0", f.name, f.v)
		}
	}
	if r.patience < 0 || r.cooldown < 0 {
		return nil, fmt.Errorf("optimizers: ReduceLROnPlateau: patience %d and cooldown %d must not be negative", r.patience, r.cooldown)
	}
	r.best = r.worst()
	return r, nil
}

// isFirstOf reads a setting that takes one of two values, the first also
// written "": isFirst reports whether mode is the first, known whether it
// is either.
func isFirstOf(mode, first, second string) (isFirst, known bool) {
	return mode == "" || mode == first, mode == "" || mode == first || mode == second
}

func (r *ReduceLROnPlateau) worst() float64 {
	if r.min {
		return math.Inf(1)
	}
	return math.Inf(-1)
}

// better reports whether metric a improves on best, PyTorch's is_better.
func (r *ReduceLROnPlateau) better(a, best float64) bool {
	switch {
	case r.min && r.rel:
		return a < best*(1-r.threshold)
	case r.min:
		return a < best-r.threshold
	case r.rel:
		return a > best*(r.threshold+1)
	}
	return a > best+r.threshold
}

// Step records one epoch's metric and cuts the learning rate if it has
// not improved for more than Patience epochs. A NaN metric is a bad epoch.
func (r *ReduceLROnPlateau) Step(metric float64) {
	r.epoch++
	if r.better(metric, r.best) {
		r.best, r.bad = metric, 0
	} else {
		r.bad++
	}
	if r.cooling > 0 {
		r.cooling--
		r.bad = 0 // bad epochs in cooldown do not count
	}
	if r.bad > r.patience {
		old := r.opt.LR()
		if lr := math.Max(old*r.factor, r.minLR); old-lr > r.eps {
			r.opt.SetLR(lr)
		}
		r.cooling, r.bad = r.cooldown, 0
	}
	r.lastLR = r.opt.LR()
}

// LastLR returns the learning rate after the last Step (the optimizer's
// rate before the first).
func (r *ReduceLROnPlateau) LastLR() float64 { return r.lastLR }

// LastEpoch returns the number of Steps so far.
func (r *ReduceLROnPlateau) LastEpoch() int { return r.epoch }

// Best returns the best metric seen (±Inf before any).
func (r *ReduceLROnPlateau) Best() float64 { return r.best }

// NumBadEpochs returns the number of epochs since the last improvement
// that count toward Patience.
func (r *ReduceLROnPlateau) NumBadEpochs() int { return r.bad }

// State returns the progress (Kind "ReduceLROnPlateau"): LastEpoch, LastLR,
// Best, NumBadEpochs and CooldownCounter, PyTorch's last_epoch, _last_lr,
// best, num_bad_epochs and cooldown_counter.
func (r *ReduceLROnPlateau) State() ScheduleState {
	return ScheduleState{Kind: plateauKind, LastEpoch: r.epoch, LastLR: r.lastLR,
		Best: r.best, NumBadEpochs: r.bad, CooldownCounter: r.cooling}
}

// Restore sets the progress from State of another ReduceLROnPlateau (made
// with the same PlateauConfig). It does not touch the optimizer's rate.
func (r *ReduceLROnPlateau) Restore(st ScheduleState) error {
	switch {
	case st.Kind != plateauKind:
		return fmt.Errorf("optimizers: ReduceLROnPlateau: Restore: the state is of a %q", st.Kind)
	case st.LastEpoch < 0 || st.NumBadEpochs < 0 || st.CooldownCounter < 0:
		return fmt.Errorf("optimizers: ReduceLROnPlateau: Restore: last epoch %d, bad epochs %d and cooldown counter %d must not be negative",
			st.LastEpoch, st.NumBadEpochs, st.CooldownCounter)
	case math.IsNaN(st.Best) || !finite(st.LastLR):
		return fmt.Errorf("optimizers: ReduceLROnPlateau: Restore: best %v must not be NaN and last rate %v must be finite", st.Best, st.LastLR)
	}
	r.epoch, r.lastLR, r.best, r.bad, r.cooling = st.LastEpoch, st.LastLR, st.Best, st.NumBadEpochs, st.CooldownCounter
	return nil
}

// plateauKind is ReduceLROnPlateau's ScheduleState.Kind.
const plateauKind = "ReduceLROnPlateau"
