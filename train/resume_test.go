package train_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// resumeSetup is one way to train: an optimizer and schedules on it.
type resumeSetup struct {
	name string
	opt  func() optimizers.Optimizer
	// sched makes the schedules on opt (either may be nil).
	sched func(opt optimizers.Optimizer) (optimizers.Scheduler, *optimizers.ReduceLROnPlateau)
}

var resumeSetups = []resumeSetup{
	{"SGD momentum, StepLR, plateau",
		func() optimizers.Optimizer { return must(optimizers.NewMomentum(0.1, 0.9)) },
		func(o optimizers.Optimizer) (optimizers.Scheduler, *optimizers.ReduceLROnPlateau) {
			p := 0
			return must(optimizers.NewStepLR(o, 2, 0.5)), must(optimizers.NewReduceLROnPlateau(o, optimizers.PlateauConfig{Patience: p}))
		}},
	{"Adam, cosine per step",
		func() optimizers.Optimizer { return must(optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01})) },
		func(o optimizers.Optimizer) (optimizers.Scheduler, *optimizers.ReduceLROnPlateau) {
			return must(optimizers.NewCosineAnnealingLR(o, 25, 0.001)), nil
		}},
}

// newResumeTrainer makes a fresh model, optimizer, schedules and Trainer
// for setup s, running epochs epochs per Fit, with a Checkpoint in dir
// every epoch when dir is not "".
func newResumeTrainer(t *testing.T, s resumeSetup, tr, val *data.Dataset, epochs int, dir string) *train.Trainer {
	t.Helper()
	m := must(moonsNet(8))
	opt := s.opt()
	sched, plateau := s.sched(opt)
	cfg := train.Config{Epochs: epochs, Train: tr, Validation: val, Optimizer: opt, Seed: 5,
		Schedule: sched, ScheduleEveryStep: strings.Contains(s.name, "per step"), Plateau: plateau, Rebuild: moonsNet,
		Metrics: []train.Metric{train.Accuracy()}}
	if dir != "" {
		cfg.Callbacks = []train.Callback{&train.Checkpoint{Dir: dir, Every: 1}}
	}
	tn := must(train.NewTrainer(m, cfg))
	t.Cleanup(func() { _ = tn.Close() })
	return tn
}

// TestResumeBitIdentical trains 6 epochs uninterrupted, and 3 epochs with
// checkpoints, then a fresh model, optimizer, schedules and Trainer
// resumed from the epoch-3 checkpoint for 3 more: the final parameters,
// the History (values, rates, steps) and the learning rate are equal bit
// for bit.
func TestResumeBitIdentical(t *testing.T) {
	tr, val := moons(t, 206, 0.2, 4) // validation 52 = 6·8 + 4: a remainder batch too
	ctx := context.Background()
	for _, s := range resumeSetups {
		t.Run(s.name, func(t *testing.T) {
			full := newResumeTrainer(t, s, tr, val, 6, "")
			want := must(full.Fit(ctx))
			lrs := map[float64]bool{}
			for _, e := range want.Epochs {
				lrs[e.LR] = true
			}
			if len(lrs) < 3 {
				t.Fatalf("rates %v: the schedules hardly act", lrs)
			}

			dir := t.TempDir()
			first := newResumeTrainer(t, s, tr, val, 3, dir)
			must(first.Fit(ctx))
			second := newResumeTrainer(t, s, tr, val, 3, "")
			if err := second.Resume(filepath.Join(dir, "epoch-0002.safetensors")); err != nil {
				t.Fatalf("Resume: %+v", err)
			}
			if second.Epoch() != 3 || second.Step() != first.Step() {
				t.Fatalf("after Resume: epoch %d, step %d; want 3, %d", second.Epoch(), second.Step(), first.Step())
			}
			got := must(second.Fit(ctx))

			if len(got.Epochs) != 6 {
				t.Fatalf("resumed history has %d epochs, want 6", len(got.Epochs))
			}
			if strings.Join(got.Columns, ",") != strings.Join(want.Columns, ",") {
				t.Errorf("columns %v, want %v", got.Columns, want.Columns)
			}
			for i, w := range want.Epochs {
				g := got.Epochs[i]
				if g.Epoch != w.Epoch || g.Steps != w.Steps || !sameBits(g.LR, w.LR) {
					t.Errorf("epoch %d: (epoch %d, steps %d, lr %v), want (%d, %d, %v)", i, g.Epoch, g.Steps, g.LR, w.Epoch, w.Steps, w.LR)
				}
				for _, c := range want.Columns {
					if !sameBits(g.Values[c], w.Values[c]) {
						t.Errorf("epoch %d %s = %v, uninterrupted %v", i, c, g.Values[c], w.Values[c])
					}
				}
			}
			if a, b := second.Optimizer().LR(), full.Optimizer().LR(); !sameBits(a, b) {
				t.Errorf("final rate %v, uninterrupted %v", a, b)
			}
			wantState := full.Model().StateDict()
			for i, e := range second.Model().StateDict() {
				a, b := e.Tensor.Float64s(), wantState[i].Tensor.Float64s()
				for j := range a {
					if !sameBits(a[j], b[j]) {
						t.Fatalf("%s[%d] = %v, uninterrupted %v", e.Name, j, a[j], b[j])
					}
				}
			}
		})
	}
}

// TestResumeNeedsCheckpointState shows the test above can fail: the
// same fresh Trainer without Resume (only the model's parameters
// loaded) ends elsewhere.
func TestResumeNeedsCheckpointState(t *testing.T) {
	tr, val := moons(t, 206, 0.2, 4)
	ctx := context.Background()
	s := resumeSetups[0]
	full := newResumeTrainer(t, s, tr, val, 6, "")
	want := must(full.Fit(ctx))
	dir := t.TempDir()
	must(newResumeTrainer(t, s, tr, val, 3, dir).Fit(ctx))
	second := newResumeTrainer(t, s, tr, val, 3, "")
	must(models.LoadCheckpoint(filepath.Join(dir, "epoch-0002.safetensors"), second.Model()))
	got := must(second.Fit(ctx))
	if sameBits(got.Epochs[2].Values["loss"], want.Epochs[5].Values["loss"]) {
		t.Fatal("loading only the model gives the resumed loss; the resume test would prove nothing")
	}
}

// TestResumeErrors: a checkpoint of another model, a corrupt or truncated
// file, a file without training metadata, and a schedule mismatch are
// errors that say so; the Trainer is unchanged.
func TestResumeErrors(t *testing.T) {
	tr, val := moons(t, 206, 0.2, 4)
	ctx := context.Background()
	dir := t.TempDir()
	s := resumeSetups[0]
	must(newResumeTrainer(t, s, tr, val, 1, dir).Fit(ctx))
	good := filepath.Join(dir, "epoch-0000.safetensors")
	raw := must(os.ReadFile(good))

	write := func(name string, b []byte) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	other := filepath.Join(t.TempDir(), "other.safetensors")
	om := must(mlp("wide", "bce", 8, 3, 2, 16, 1))
	if err := models.SaveCheckpoint(other, om, nil, map[string]string{"epoch": "0", "step": "1", "lr": "0.1"}); err != nil {
		t.Fatal(err)
	}
	bare := filepath.Join(t.TempDir(), "bare.safetensors")
	if err := models.SaveCheckpoint(bare, must(moonsNet(8)), nil, nil); err != nil {
		t.Fatal(err)
	}
	garbage := append([]byte{}, raw...)
	for i := 8; i < 40 && i < len(garbage); i++ {
		garbage[i] = '#'
	}
	// A checkpoint of a model with another name but the same tensors
	// resumes: the name is metadata, not a gate (issue 17).
	noSchedule := resumeSetup{"no schedule", s.opt, func(optimizers.Optimizer) (optimizers.Scheduler, *optimizers.ReduceLROnPlateau) { return nil, nil }}
	tests := []struct {
		name  string
		path  string
		setup resumeSetup
		want  string
	}{
		{"truncated", write("trunc.safetensors", raw[:len(raw)/2]), s, "trunc.safetensors"},
		{"garbage header", write("garbage.safetensors", garbage), s, "garbage.safetensors"},
		{"empty", write("empty.safetensors", nil), s, "empty.safetensors"},
		{"missing", filepath.Join(dir, "nope.safetensors"), s, "nope.safetensors"},
		{"no training metadata", bare, s, `no "epoch" metadata`},
		{"schedule not configured", good, noSchedule, "holds a StepLR state, but Config.Schedule is nil"},
	}
	if err := newResumeTrainer(t, noSchedule, tr, val, 1, "").Resume(other); err != nil {
		t.Errorf("a checkpoint of model \"wide\" with the same tensors did not resume: %v", err)
	}
	for _, tc := range tests {
		tn := newResumeTrainer(t, tc.setup, tr, val, 1, "")
		before := tn.Model().StateDict()[0].Tensor.Float64s()[0]
		lr := tn.Optimizer().LR()
		err := tn.Resume(tc.path)
		if !errorHas(err, tc.want) {
			t.Errorf("%s: Resume error %v, want one containing %q", tc.name, err, tc.want)
			continue
		}
		if tn.Epoch() != 0 || tn.Step() != 0 || tn.Optimizer().LR() != lr || tn.Model().StateDict()[0].Tensor.Float64s()[0] != before {
			t.Errorf("%s: a failed Resume changed the trainer", tc.name)
		}
	}
}
