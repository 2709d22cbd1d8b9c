package optimizers

import (
	"fmt"
	"math"

	"github.com/symgrad/symgrad/internal/typednil"
)

// Scheduler changes an optimizer's learning rate once per epoch, as
// torch.optim.lr_scheduler's schedulers do (PyTorch 1.13).
//
// Like PyTorch's, a scheduler takes the optimizer's learning rate as its
// base γ₀ when it is made, and then makes its first step (to epoch 0),
// which sets the epoch-0 rate (γ₀ for most, γ₀·start for LinearLR). Call
// Step once after each epoch's optimizer steps. Every Step computes the new
// rate from the optimizer's current rate (PyTorch's recursive, "chainable"
// get_lr form), so the rates match scheduler.get_last_lr() after each
// scheduler.step() to rounding, and schedulers can be stacked on one
// optimizer.
type Scheduler interface {
	// Step advances one epoch and sets the optimizer's learning rate.
	Step()
	// LastLR returns the learning rate set by the last Step.
	LastLR() float64
	// LastEpoch returns the number of Steps since the epoch-0 one.
	LastEpoch() int
	// State returns the scheduler's progress (PyTorch's
	// scheduler.state_dict()).
	State() ScheduleState
	// Restore sets the scheduler's progress to s, which must come from
	// State of the same kind of scheduler (PyTorch's
	// scheduler.load_state_dict()). It does not touch the optimizer's
	// rate: restore that with SetLR, as optimizer.load_state_dict does.
	Restore(s ScheduleState) error
}

// ScheduleState is the progress of a scheduler or of ReduceLROnPlateau:
// what PyTorch's scheduler.state_dict() holds apart from the settings,
// which come from the constructor. To resume training, make a fresh
// scheduler with the same settings on the optimizer, restore the
// optimizer's rate (SetLR) and then Restore the scheduler: the next Step
// sets the rate an uninterrupted run would have set, bit for bit.
type ScheduleState struct {
	// Kind names the scheduler type: "StepLR", "MultiStepLR",
	// "ExponentialLR", "CosineAnnealingLR", "LinearLR" or
	// "ReduceLROnPlateau". Restore rejects another kind.
	Kind string
	// LastEpoch is PyTorch's last_epoch: the number of Steps since the
	// epoch-0 one for a Scheduler, the number of Steps for
	// ReduceLROnPlateau.
	LastEpoch int
	// BaseLR is base_lrs[0], the optimizer's rate when the scheduler was
	// made (0 for ReduceLROnPlateau, which has none).
	BaseLR float64
	// LastLR is _last_lr[0], the rate set by the last Step.
	LastLR float64
	// Best, NumBadEpochs and CooldownCounter are ReduceLROnPlateau's best,
	// num_bad_epochs and cooldown_counter (zero for the others).
	Best            float64
	NumBadEpochs    int
	CooldownCounter int
}

// finite reports whether every x is neither NaN nor ±Inf.
func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

var (
	_ Scheduler = (*StepLR)(nil)
	_ Scheduler = (*MultiStepLR)(nil)
	_ Scheduler = (*ExponentialLR)(nil)
	_ Scheduler = (*CosineAnnealingLR)(nil)
	_ Scheduler = (*LinearLR)(nil)
)

// schedule is what every Scheduler keeps, with the methods they share:
// each one embeds it and adds its Step, which computes the epoch's rate
// from next and records it with set.
type schedule struct {
	kind   string // the type's name, its ScheduleState.Kind
	opt    LRSetter
	baseLR float64 // the optimizer's rate when the scheduler was made
	epoch  int     // PyTorch's last_epoch
	lastLR float64
}

func newSchedule(kind string, opt LRSetter) schedule {
	return schedule{kind: kind, opt: opt, baseLR: opt.LR(), epoch: -1}
}

// LastLR returns the learning rate set by the last Step.
func (s *schedule) LastLR() float64 { return s.lastLR }

// LastEpoch returns the current epoch.
func (s *schedule) LastEpoch() int { return s.epoch }

// State returns the scheduler's progress (Kind the scheduler's type name:
// "StepLR", "MultiStepLR", ...).
func (s *schedule) State() ScheduleState {
	return ScheduleState{Kind: s.kind, LastEpoch: s.epoch, BaseLR: s.baseLR, LastLR: s.lastLR}
}

// Restore sets the scheduler's progress from State of another scheduler
// of its type.
func (s *schedule) Restore(st ScheduleState) error {
	switch {
	case st.Kind != s.kind:
		return fmt.Errorf("optimizers: %s: Restore: the state is of a %q", s.kind, st.Kind)
	case st.LastEpoch < 0:
		return fmt.Errorf("optimizers: %s: Restore: last epoch %d, want ≥ 0", s.kind, st.LastEpoch)
	case !finite(st.BaseLR, st.LastLR):
		return fmt.Errorf("optimizers: %s: Restore: base rate %v and last rate %v must be finite", s.kind, st.BaseLR, st.LastLR)
	}
	s.epoch, s.baseLR, s.lastLR = st.LastEpoch, st.BaseLR, st.LastLR
	return nil
}

// next advances one epoch and returns the optimizer's current rate, which
// Step changes (PyTorch's recursive, chainable form).
func (s *schedule) next() float64 {
	s.epoch++
	return s.opt.LR()
}

// begin makes a new scheduler's first Step, to epoch 0, as PyTorch's
// constructors do.
func begin[S Scheduler](l S) (S, error) {
	l.Step()
	return l, nil
}

// set sets the optimizer's rate to lr and records it.
func (s *schedule) set(lr float64) {
	s.opt.SetLR(lr)
	s.lastLR = lr
}

// StepLR multiplies the learning rate by γ every stepSize epochs:
// γₑ = γ₀ · γ^⌊e/stepSize⌋ (torch.optim.lr_scheduler.StepLR).
type StepLR struct {
	schedule
	stepSize int
	gamma    float64
}

// NewStepLR returns a StepLR on opt (PyTorch's default gamma is 0.1).
func NewStepLR(opt LRSetter, stepSize int, gamma float64) (*StepLR, error) {
	if err := checkSchedule("StepLR", opt, gamma); err != nil {
		return nil, err
	}
	if stepSize < 1 {
		return nil, fmt.Errorf("optimizers: StepLR: step size %d, want ≥ 1", stepSize)
	}
	return begin(&StepLR{schedule: newSchedule("StepLR", opt), stepSize: stepSize, gamma: gamma})
}

// Step advances one epoch: γ ← γ·gamma when the epoch is a positive
// multiple of stepSize.
func (l *StepLR) Step() {
	lr := l.next()
	if l.epoch != 0 && l.epoch%l.stepSize == 0 {
		lr *= l.gamma
	}
	l.set(lr)
}

// MultiStepLR multiplies the learning rate by γ at each milestone epoch
// (by γᵏ if the epoch is listed k times): γₑ = γ₀ · γ^|{m ≤ e}|
// (torch.optim.lr_scheduler.MultiStepLR).
type MultiStepLR struct {
	schedule
	milestones map[int]int // epoch -> times listed
	gamma      float64
}

// NewMultiStepLR returns a MultiStepLR on opt (PyTorch's default gamma is
// 0.1). The milestones need not be sorted.
func NewMultiStepLR(opt LRSetter, milestones []int, gamma float64) (*MultiStepLR, error) {
	if err := checkSchedule("MultiStepLR", opt, gamma); err != nil {
		return nil, err
	}
	l := &MultiStepLR{schedule: newSchedule("MultiStepLR", opt), milestones: map[int]int{}, gamma: gamma}
	for _, m := range milestones {
		l.milestones[m]++
	}
	return begin(l)
}

// Step advances one epoch: γ ← γ·gammaᵏ at a milestone listed k times.
func (l *MultiStepLR) Step() {
	lr := l.next()
	if k := l.milestones[l.epoch]; k > 0 {
		lr *= powi(l.gamma, int64(k))
	}
	l.set(lr)
}

// ExponentialLR multiplies the learning rate by γ every epoch:
// γₑ = γ₀ · γᵉ (torch.optim.lr_scheduler.ExponentialLR).
type ExponentialLR struct {
	schedule
	gamma float64
}

// NewExponentialLR returns an ExponentialLR on opt.
func NewExponentialLR(opt LRSetter, gamma float64) (*ExponentialLR, error) {
	if err := checkSchedule("ExponentialLR", opt, gamma); err != nil {
		return nil, err
	}
	return begin(&ExponentialLR{schedule: newSchedule("ExponentialLR", opt), gamma: gamma})
}

// Step advances one epoch: γ ← γ·gamma (except at epoch 0).
func (l *ExponentialLR) Step() {
	lr := l.next()
	if l.epoch != 0 {
		lr *= l.gamma
	}
	l.set(lr)
}

// CosineAnnealingLR anneals the learning rate along a cosine from γ₀ to
// ηmin over tMax epochs, then back up over the next tMax, and so on
// (Loshchilov and Hutter, "SGDR: Stochastic Gradient Descent with Warm
// Restarts", 2017, without restarts), as
// torch.optim.lr_scheduler.CosineAnnealingLR. Its closed form is
//
//	γₑ = ηmin + (γ₀ - ηmin)(1 + cos(πe/tMax))/2,
//
// but, like PyTorch's step(), it uses the recursive form
//
//	γₑ = (1 + cos(πe/T)) / (1 + cos(π(e-1)/T)) · (γₑ₋₁ - ηmin) + ηmin
//	γₑ = γₑ₋₁ + (γ₀ - ηmin)(1 - cos(π/T))/2   when (e - 1 - T) mod 2T = 0
//
// with cos correctly rounded as C's cos computes it. Its rates are then
// PyTorch's get_last_lr() values (bit for bit in testdata), which differ
// from the closed form by rounding, and it composes with other schedulers.
type CosineAnnealingLR struct {
	schedule
	tMax   int
	etaMin float64
}

// NewCosineAnnealingLR returns a CosineAnnealingLR on opt (PyTorch's
// default etaMin is 0).
func NewCosineAnnealingLR(opt LRSetter, tMax int, etaMin float64) (*CosineAnnealingLR, error) {
	if err := checkSchedule("CosineAnnealingLR", opt, 1); err != nil {
		return nil, err
	}
	if !(etaMin >= 0) || math.IsInf(etaMin, 0) {
		return nil, fmt.Errorf("optimizers: CosineAnnealingLR: eta_min %v, want a finite number ≥ 0", etaMin)
	}
	if tMax < 1 {
		return nil, fmt.Errorf("optimizers: CosineAnnealingLR: T_max %d, want ≥ 1", tMax)
	}
	return begin(&CosineAnnealingLR{schedule: newSchedule("CosineAnnealingLR", opt), tMax: tMax, etaMin: etaMin})
}

// Step advances one epoch along the cosine.
func (l *CosineAnnealingLR) Step() {
	lr := l.next()
	e, t := float64(l.epoch), float64(l.tMax)
	switch {
	case l.epoch == 0:
	case floorMod(l.epoch-1-l.tMax, 2*l.tMax) == 0:
		lr = lr + (l.baseLR-l.etaMin)*(1-cosRounded(math.Pi/t))/2
	default:
		lr = (1+cosRounded(math.Pi*e/t))/(1+cosRounded(math.Pi*(e-1)/t))*(lr-l.etaMin) + l.etaMin
	}
	l.set(lr)
}

// floorMod is Python's a % b for b > 0 (never negative).
func floorMod(a, b int) int {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// LinearLR is a linear warm-up (or cool-down): the learning rate goes from
// γ₀·start to γ₀·end linearly over totalIters epochs and then stays,
// γₑ = γ₀ · (start + (end - start)·min(e, totalIters)/totalIters)
// (torch.optim.lr_scheduler.LinearLR, whose defaults are start 1/3, end 1,
// totalIters 5). Like PyTorch it steps recursively:
//
//	γ₀' = γ₀·start;  γₑ = γₑ₋₁ · (1 + (end - start) / (T·start + (e-1)(end - start)))  for 1 ≤ e ≤ T.
type LinearLR struct {
	schedule
	start, end float64
	totalIters int
}

// NewLinearLR returns a LinearLR on opt; it sets the rate to γ₀·start.
// As in PyTorch, start must be in (0, 1] and end in [0, 1].
func NewLinearLR(opt LRSetter, start, end float64, totalIters int) (*LinearLR, error) {
	if err := checkSchedule("LinearLR", opt, 1); err != nil {
		return nil, err
	}
	switch {
	case !(start > 0 && start <= 1):
		return nil, fmt.Errorf("optimizers: LinearLR: starting multiplicative factor %v, want it in (0, 1]", start)
	case !(end >= 0 && end <= 1):
		return nil, fmt.Errorf("optimizers: LinearLR: ending multiplicative factor %v, want it in [0, 1]", end)
	case totalIters < 0:
		return nil, fmt.Errorf("optimizers: LinearLR: total_iters %d, want ≥ 0", totalIters)
	}
	return begin(&LinearLR{schedule: newSchedule("LinearLR", opt), start: start, end: end, totalIters: totalIters})
}

// Step advances one epoch of the warm-up.
func (l *LinearLR) Step() {
	lr := l.next()
	e := l.epoch
	switch {
	case e == 0:
		lr *= l.start
	case e <= l.totalIters:
		d := l.end - l.start
		lr *= 1 + d/(float64(l.totalIters)*l.start+float64(e-1)*d)
	}
	l.set(lr)
}

// checkSchedule refuses a nil (or typed nil) optimizer, whose LR every
// scheduler reads at once, and a gamma that is NaN, infinite or negative.
func checkSchedule(kind string, opt LRSetter, gamma float64) error {
	if typednil.Is(opt) {
		return fmt.Errorf("optimizers: %s: nil optimizer", kind)
	}
	if !(gamma >= 0) || math.IsInf(gamma, 0) {
		return fmt.Errorf("optimizers: %s: gamma %v, want a finite number ≥ 0", kind, gamma)
	}
	return nil
}
