package optimizers

import (
	"math"
	"testing"
)

// lrBox is the smallest LRSetter.
type lrBox struct{ lr float64 }

func (b *lrBox) LR() float64      { return b.lr }
func (b *lrBox) SetLR(lr float64) { b.lr = lr }

// TestSchedulers steps each scheduler and compares LastLR (and the
// optimizer's rate) after construction (epoch 0) and each Step with the
// closed form of its definition, to 1e-12 of γ₀.
func TestSchedulers(t *testing.T) {
	cosine := func(base, etaMin float64, tMax int) func(e int) float64 {
		return func(e int) float64 {
			return etaMin + (base-etaMin)*(1+math.Cos(math.Pi*float64(e)/float64(tMax)))/2
		}
	}
	tests := []struct {
		name string
		lr0  float64
		make func(o LRSetter) (Scheduler, error)
		want func(e int) float64
	}{
		{"StepLR", 0.1, func(o LRSetter) (Scheduler, error) { return NewStepLR(o, 3, 0.5) },
			func(e int) float64 { return 0.1 * math.Pow(0.5, float64(e/3)) }},
		{"MultiStepLR", 1, func(o LRSetter) (Scheduler, error) { return NewMultiStepLR(o, []int{5, 2, 5}, 0.1) },
			func(e int) float64 { return []float64{1, 1, 0.1, 0.1, 0.1, 0.001}[min(e, 5)] }},
		{"MultiStepLR at 0", 1, func(o LRSetter) (Scheduler, error) { return NewMultiStepLR(o, []int{0}, 0.5) },
			func(e int) float64 { return 0.5 }},
		{"ExponentialLR", 2, func(o LRSetter) (Scheduler, error) { return NewExponentialLR(o, 0.9) },
			func(e int) float64 { return 2 * math.Pow(0.9, float64(e)) }},
		{"CosineAnnealingLR", 0.1, func(o LRSetter) (Scheduler, error) { return NewCosineAnnealingLR(o, 4, 0.01) },
			cosine(0.1, 0.01, 4)},
		{"CosineAnnealingLR T=1", 1, func(o LRSetter) (Scheduler, error) { return NewCosineAnnealingLR(o, 1, 0) },
			cosine(1, 0, 1)},
		{"CosineAnnealingLR T=7", 0.3, func(o LRSetter) (Scheduler, error) { return NewCosineAnnealingLR(o, 7, 0.001) },
			cosine(0.3, 0.001, 7)},
		{"LinearLR warm-up", 0.1, func(o LRSetter) (Scheduler, error) { return NewLinearLR(o, 0.25, 1, 3) },
			func(e int) float64 { return 0.1 * (0.25 + 0.75*float64(min(e, 3))/3) }},
		{"LinearLR default factors", 0.1, func(o LRSetter) (Scheduler, error) { return NewLinearLR(o, 1.0/3, 1, 5) },
			func(e int) float64 { return 0.1 * (1.0/3 + 2.0/3*float64(min(e, 5))/5) }},
		{"LinearLR cool-down", 1, func(o LRSetter) (Scheduler, error) { return NewLinearLR(o, 1, 0.5, 2) },
			func(e int) float64 { return 1 - 0.25*float64(min(e, 2)) }},
		{"LinearLR to 0", 1, func(o LRSetter) (Scheduler, error) { return NewLinearLR(o, 1, 0, 4) },
			func(e int) float64 { return 1 - 0.25*float64(min(e, 4)) }},
		// PyTorch's quirk: with total_iters 0 the rate stays at γ₀·start.
		{"LinearLR total 0", 1, func(o LRSetter) (Scheduler, error) { return NewLinearLR(o, 0.5, 1, 0) },
			func(e int) float64 { return 0.5 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt := &lrBox{tc.lr0}
			s, err := tc.make(opt)
			if err != nil {
				t.Fatal(err)
			}
			for e := 0; e <= 30; e++ {
				if e > 0 {
					s.Step()
				}
				if s.LastEpoch() != e || s.LastLR() != opt.lr {
					t.Fatalf("epoch %d: LastEpoch %d, LastLR %v, optimizer %v", e, s.LastEpoch(), s.LastLR(), opt.lr)
				}
				if want := tc.want(e); math.Abs(opt.lr-want) > 1e-12*tc.lr0 {
					t.Errorf("epoch %d: lr %.17g, want %.17g", e, opt.lr, want)
				}
			}
		})
	}
}

// TestChainedSchedulers checks that, as in PyTorch, two schedulers on one
// optimizer multiply: a LinearLR warm-up from 0.5 over 2 epochs and an
// ExponentialLR(0.9) give γₑ = 0.9ᵉ · (0.5 + 0.25·min(e, 2)).
func TestChainedSchedulers(t *testing.T) {
	opt := &lrBox{1}
	warm, err := NewLinearLR(opt, 0.5, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	decay, err := NewExponentialLR(opt, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	for e := 0; e <= 6; e++ {
		if e > 0 {
			warm.Step()
			decay.Step()
		}
		want := math.Pow(0.9, float64(e)) * (0.5 + 0.25*float64(min(e, 2)))
		if !closeRel(opt.lr, want, 1e-14) {
			t.Errorf("epoch %d: lr %v, want %v", e, opt.lr, want)
		}
	}
}

func TestSchedulerErrors(t *testing.T) {
	o := &lrBox{1}
	errs := []error{}
	add := func(_ any, err error) { errs = append(errs, err) }
	add(NewStepLR(o, 0, 0.1))
	add(NewCosineAnnealingLR(o, 0, 0))
	add(NewLinearLR(o, 0, 1, 5))
	add(NewLinearLR(o, 1.5, 1, 5))
	add(NewLinearLR(o, 0.5, 1.5, 5))
	add(NewLinearLR(o, 0.5, 1, -1))
	add(NewReduceLROnPlateau(o, PlateauConfig{Factor: new(1.0)}))
	add(NewReduceLROnPlateau(o, PlateauConfig{Mode: "avg"}))
	add(NewReduceLROnPlateau(o, PlateauConfig{Patience: -1}))
	add(NewReduceLROnPlateau(o, PlateauConfig{ThresholdMode: "pct"}))
	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
	if o.lr != 1 {
		t.Errorf("a failed constructor changed the rate to %v", o.lr)
	}
}

// TestReduceLROnPlateau replays metric sequences whose rates were worked
// out step by step from PyTorch's definition (see ReduceLROnPlateau).
func TestReduceLROnPlateau(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name    string
		lr0     float64
		cfg     PlateauConfig
		metrics []float64
		want    []float64
	}{
		// Epochs 3-5 do not beat 9·(1-1e-4): the third bad epoch exceeds
		// patience 2 and halves the rate; 8 is an improvement, then three
		// more bad epochs.
		{"min rel", 1, PlateauConfig{Factor: new(0.5), Patience: 2},
			[]float64{10, 9, 9, 9, 9, 8, 8, 8, 8}, []float64{1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25}},
		// 1.2 is not > 1 + 0.5: cut to max(0.1, minLR 0.3); 1.6 improves
		// during the cooldown; at epoch 5 the cut would be below minLR, so
		// nothing changes; 3 improves.
		{"max abs cooldown minLR", 1, PlateauConfig{Mode: "max", ThresholdMode: "abs", Threshold: new(0.5),
			Patience: 0, Cooldown: 2, MinLR: 0.3},
			[]float64{1, 1.2, 1.6, 1.6, 1.6, 1.6, 3}, []float64{1, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3}},
		// 1.05 is not > 1·(1 + 0.1).
		{"max rel", 1, PlateauConfig{Mode: "max", Threshold: new(0.1), Patience: 0},
			[]float64{1, 1.05, 1.2}, []float64{1, 0.1, 0.1}},
		// A cut of 5e-10 is below eps 1e-8 and is not applied.
		{"eps", 1e-9, PlateauConfig{Factor: new(0.5), Patience: 0},
			[]float64{1, 1, 1}, []float64{1e-9, 1e-9, 1e-9}},
		{"eps 0", 1e-9, PlateauConfig{Factor: new(0.5), Patience: 0, Eps: new(0.0)},
			[]float64{1, 1, 1}, []float64{1e-9, 5e-10, 2.5e-10}},
		// NaN is never better: two bad epochs exceed patience 1.
		{"NaN", 1, PlateauConfig{Patience: 1},
			[]float64{1, nan, nan}, []float64{1, 1, 0.1}},
		// min abs: 0.95 is not < 1 - 0.1; 0.8 is.
		{"min abs", 1, PlateauConfig{ThresholdMode: "abs", Threshold: new(0.1), Patience: 1},
			[]float64{1, 0.95, 0.8, 0.75, 0.75}, []float64{1, 1, 1, 1, 0.1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt := &lrBox{tc.lr0}
			r, err := NewReduceLROnPlateau(opt, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i, m := range tc.metrics {
				r.Step(m)
				if r.LastLR() != opt.lr || r.LastEpoch() != i+1 {
					t.Fatalf("epoch %d: LastLR %v, optimizer %v, LastEpoch %d", i+1, r.LastLR(), opt.lr, r.LastEpoch())
				}
				if !closeRel(opt.lr, tc.want[i], 1e-15) {
					t.Errorf("epoch %d (metric %v): lr %v, want %v", i+1, m, opt.lr, tc.want[i])
				}
			}
		})
	}
}

// TestSchedulerOnOptimizer drives a real optimizer's rate.
func TestSchedulerOnOptimizer(t *testing.T) {
	o, err := NewSGD(SGDConfig{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewStepLR(o, 1, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	s.Step()
	p := Param{Name: "w", Value: vec(1), Grad: vec(1)}
	if err := o.Step([]Param{p}); err != nil {
		t.Fatal(err)
	}
	if got := p.Value.Float64s()[0]; got != 0.95 {
		t.Errorf("θ = %v, want 1 - 0.05", got)
	}
}

// TestCosRounded compares cosRounded with C's cos (glibc, through
// Python's math.cos), bit for bit, and with math.Cos to an ulp.
func TestCosRounded(t *testing.T) {
	for _, c := range [][2]float64{
		{0.0, 1.0}, {3.141592653589793, -1.0}, {1.0471975511965976, 0.5000000000000001},
		{0.3141592653589793, 0.9510565162951535}, {2.199114857512855, -0.587785252292473},
		{3.8641589639154454, -0.7501110696304597}, {94.21636368115789, 0.9995065603657312},
		{1e-09, 1.0}, {100.0, 0.8623188722876839}, {12345.678, 0.7101193587160628}, {-2.5, -0.8011436155469337},
	} {
		if got := cosRounded(c[0]); got != c[1] {
			t.Errorf("cosRounded(%v) = %v, C's cos %v", c[0], got, c[1])
		}
	}
	for i := range 1000 {
		x := float64(i) * 0.0137
		if got, want := cosRounded(x), math.Cos(x); math.Abs(got-want) > 2.3e-16 {
			t.Errorf("cosRounded(%v) = %v, math.Cos %v", x, got, want)
		}
	}
	if !math.IsNaN(cosRounded(math.Inf(1))) {
		t.Error("cos(+Inf) is not NaN")
	}
}
