package optimizers

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// stepper is a scheduler or ReduceLROnPlateau seen the same way: one step
// per epoch (fed the epoch's metric), and its progress.
type stepper interface {
	step(metric float64)
	State() ScheduleState
	Restore(ScheduleState) error
}

type schedStepper struct{ Scheduler }

func (s schedStepper) step(float64) { s.Step() }

type plateauStepper struct{ *ReduceLROnPlateau }

func (p plateauStepper) step(m float64) { p.Step(m) }

// resumeCases makes each kind of scheduler on an optimizer with rate 0.1.
var resumeCases = []struct {
	name string
	make func(o LRSetter) (stepper, error)
}{
	{"StepLR", func(o LRSetter) (stepper, error) { s, err := NewStepLR(o, 3, 0.5); return schedStepper{s}, err }},
	{"MultiStepLR", func(o LRSetter) (stepper, error) {
		s, err := NewMultiStepLR(o, []int{2, 5, 5, 9}, 0.3)
		return schedStepper{s}, err
	}},
	{"ExponentialLR", func(o LRSetter) (stepper, error) { s, err := NewExponentialLR(o, 0.9); return schedStepper{s}, err }},
	{"CosineAnnealingLR", func(o LRSetter) (stepper, error) {
		s, err := NewCosineAnnealingLR(o, 4, 0.01)
		return schedStepper{s}, err
	}},
	{"LinearLR", func(o LRSetter) (stepper, error) { s, err := NewLinearLR(o, 0.25, 1, 6); return schedStepper{s}, err }},
	{"ReduceLROnPlateau", func(o LRSetter) (stepper, error) {
		p, c := 1, 0.5
		r, err := NewReduceLROnPlateau(o, PlateauConfig{Patience: p, Factor: &c, Cooldown: 1})
		return plateauStepper{r}, err
	}},
}

// plateauMetrics is a noisy, mostly flat loss curve with improvements
// now and then, so that ReduceLROnPlateau both improves and cuts.
func plateauMetrics(n int) []float64 {
	rng := rand.New(rand.NewPCG(7, 11))
	out := make([]float64, n)
	for i := range out {
		out[i] = 1 - 0.05*float64(i/4) + 0.02*rng.Float64()
	}
	return out
}

// TestScheduleResume runs each scheduler N+M epochs uninterrupted, and N
// epochs, State, a fresh scheduler on a fresh optimizer given the saved
// rate and Restore, then M epochs: the rates of epochs N..N+M-1 must be
// equal bit for bit.
func TestScheduleResume(t *testing.T) {
	const lr0, total = 0.1, 14
	metrics := plateauMetrics(total)
	for _, tc := range resumeCases {
		opt := &lrBox{lr0}
		s, err := tc.make(opt)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, total)
		for e := range want {
			s.step(metrics[e])
			want[e] = opt.LR()
		}
		if distinct(want) < 3 {
			t.Fatalf("%s: rates %v change too little for the test to mean anything", tc.name, want)
		}
		for _, n := range []int{0, 1, 3, 5, 8, 13} {
			opt1 := &lrBox{lr0}
			s1, _ := tc.make(opt1)
			for e := 0; e < n; e++ {
				s1.step(metrics[e])
			}
			st, lr := s1.State(), opt1.LR()

			opt2 := &lrBox{lr0}
			s2, _ := tc.make(opt2)
			opt2.SetLR(lr)
			if err := s2.Restore(st); err != nil {
				t.Fatalf("%s N=%d: Restore: %v", tc.name, n, err)
			}
			if opt2.LR() != lr {
				t.Errorf("%s N=%d: Restore changed the optimizer's rate to %v", tc.name, n, opt2.LR())
			}
			if got := s2.State(); got != st && !(math.IsNaN(got.Best) && math.IsNaN(st.Best)) {
				t.Errorf("%s N=%d: State after Restore = %+v, want %+v", tc.name, n, got, st)
			}
			for e := n; e < total; e++ {
				s2.step(metrics[e])
				if got := opt2.LR(); math.Float64bits(got) != math.Float64bits(want[e]) {
					t.Errorf("%s N=%d: epoch %d rate %v, uninterrupted %v", tc.name, n, e, got, want[e])
				}
			}
		}
	}
}

// TestScheduleResumeNeedsState shows that the state matters: a fresh
// StepLR given only the saved rate goes wrong.
func TestScheduleResumeNeedsState(t *testing.T) {
	opt := &lrBox{0.1}
	s, _ := NewStepLR(opt, 3, 0.5)
	for range 4 {
		s.Step()
	}
	fresh := &lrBox{0.1}
	s2, _ := NewStepLR(fresh, 3, 0.5)
	fresh.SetLR(opt.LR())
	s.Step()
	s.Step()
	s2.Step()
	s2.Step()
	if opt.LR() == fresh.LR() {
		t.Fatalf("without Restore the rate %v matches; the resume test would prove nothing", opt.LR())
	}
}

// TestScheduleRestoreErrors feeds Restore states it must reject, and
// checks that it changes nothing then.
func TestScheduleRestoreErrors(t *testing.T) {
	good := func(kind string) ScheduleState {
		return ScheduleState{Kind: kind, LastEpoch: 2, BaseLR: 0.1, LastLR: 0.05}
	}
	tests := []struct {
		name   string
		target int // index into resumeCases
		st     ScheduleState
		want   string
	}{
		{"other kind", 0, good("ExponentialLR"), `the state is of a "ExponentialLR"`},
		{"empty kind", 1, ScheduleState{}, `the state is of a ""`},
		{"negative epoch", 2, ScheduleState{Kind: "ExponentialLR", LastEpoch: -1}, "last epoch -1"},
		{"NaN rate", 3, ScheduleState{Kind: "CosineAnnealingLR", LastLR: math.NaN()}, "must be finite"},
		{"Inf base", 4, ScheduleState{Kind: "LinearLR", BaseLR: math.Inf(1)}, "must be finite"},
		{"plateau other kind", 5, good("StepLR"), `the state is of a "StepLR"`},
		{"plateau negative bad", 5, ScheduleState{Kind: "ReduceLROnPlateau", NumBadEpochs: -1}, "must not be negative"},
		{"plateau NaN best", 5, ScheduleState{Kind: "ReduceLROnPlateau", Best: math.NaN()}, "must not be NaN"},
	}
	for _, tc := range tests {
		opt := &lrBox{0.1}
		s, err := resumeCases[tc.target].make(opt)
		if err != nil {
			t.Fatal(err)
		}
		before := s.State()
		err = s.Restore(tc.st)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Restore error %v, want one containing %q", tc.name, err, tc.want)
		}
		if after := s.State(); after != before {
			t.Errorf("%s: failed Restore changed the state from %+v to %+v", tc.name, before, after)
		}
	}
}

// distinct counts the distinct values of xs.
func distinct(xs []float64) int {
	seen := map[float64]bool{}
	for _, x := range xs {
		seen[x] = true
	}
	return len(seen)
}
