package train_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/safetensors"
	"github.com/symgrad/symgrad/train"
)

// callbackRun is one training run with every kind of state a run's future
// depends on: dropout masks, ReduceLROnPlateau, EarlyStopping and a
// best-only Checkpoint (plus a periodic one).
type callbackRun struct {
	tn    *train.Trainer
	early *train.EarlyStopping
	ck    *train.Checkpoint
}

func newCallbackRun(t testing.TB, tr, val *data.Dataset, epochs int, dir string) *callbackRun {
	t.Helper()
	m := must(dropoutNet(8))
	opt := must(optimizers.NewAdam(optimizers.AdamConfig{LR: 0.05}))
	plateau := must(optimizers.NewReduceLROnPlateau(opt, optimizers.PlateauConfig{Patience: 1}))
	r := &callbackRun{
		early: &train.EarlyStopping{Patience: 3},
		ck:    &train.Checkpoint{Dir: dir, Every: 1, Best: true},
	}
	cfg := train.Config{Epochs: epochs, Train: tr, Validation: val, Optimizer: opt, Seed: 5,
		Plateau: plateau, Rebuild: dropoutNet, Callbacks: []train.Callback{r.ck, r.early}}
	r.tn = must(train.NewTrainer(m, cfg))
	t.Cleanup(func() { _ = r.tn.Close() })
	return r
}

// TestResumeWithCallbacksBitIdentical: a run with dropout, a plateau
// schedule, EarlyStopping and a best-only Checkpoint, stopped after epoch
// k and resumed, matches the uninterrupted run bit for bit: the same
// losses, the same stopping epoch, the same best epoch and the same
// best.safetensors (never overwritten by a worse epoch), the same final
// weights.
func TestResumeWithCallbacksBitIdentical(t *testing.T) {
	tr, val := moons(t, 206, 0.35, 4)
	ctx := context.Background()
	const epochs = 40
	fullDir := t.TempDir()
	full := newCallbackRun(t, tr, val, epochs, fullDir)
	want := must(full.tn.Fit(ctx))
	for _, e := range want.Epochs {
		t.Logf("epoch %d: val_loss %.6f lr %g", e.Epoch, e.Values["val_loss"], e.LR)
	}
	t.Logf("stopped %d, best %d", full.early.StoppedEpoch, full.early.BestEpoch)
	stop, best := full.early.StoppedEpoch, full.early.BestEpoch
	if stop < 0 || stop >= epochs-1 {
		t.Fatalf("the uninterrupted run did not stop early (stopped %d): the test proves nothing", stop)
	}
	k := best + 1 // resume after the best epoch, before the stop
	if k >= stop {
		t.Fatalf("best epoch %d, stop %d: no epoch between them to resume from", best, stop)
	}

	dir := t.TempDir()
	first := newCallbackRun(t, tr, val, k+1, dir)
	must(first.tn.Fit(ctx))
	second := newCallbackRun(t, tr, val, epochs-k-1, dir)
	if err := second.tn.Resume(filepath.Join(dir, "epoch-"+pad4(k)+".safetensors")); err != nil {
		t.Fatalf("Resume: %+v", err)
	}
	got := must(second.tn.Fit(ctx))

	if len(got.Epochs) != len(want.Epochs) {
		t.Fatalf("resumed run has %d epochs, uninterrupted %d (stopped %d vs %d)", len(got.Epochs), len(want.Epochs), second.early.StoppedEpoch, stop)
	}
	for i, w := range want.Epochs {
		for _, c := range want.Columns {
			if g := got.Epochs[i].Values[c]; !sameBits(g, w.Values[c]) {
				t.Fatalf("epoch %d %s = %v, uninterrupted %v", i, c, g, w.Values[c])
			}
		}
		if !sameBits(got.Epochs[i].LR, w.LR) {
			t.Fatalf("epoch %d lr %v, uninterrupted %v", i, got.Epochs[i].LR, w.LR)
		}
	}
	if second.early.StoppedEpoch != stop || second.early.BestEpoch != best || !sameBits(second.early.Best, full.early.Best) {
		t.Errorf("early stopping: stopped %d best %d (%v); uninterrupted %d, %d (%v)",
			second.early.StoppedEpoch, second.early.BestEpoch, second.early.Best, stop, best, full.early.Best)
	}
	sameFile(t, filepath.Join(dir, "best.safetensors"), filepath.Join(fullDir, "best.safetensors"))
	sameFile(t, filepath.Join(dir, "epoch-"+pad4(stop)+".safetensors"), filepath.Join(fullDir, "epoch-"+pad4(stop)+".safetensors"))
}

func pad4(n int) string {
	s := "000" + itoa(n)
	return s[len(s)-4:]
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// sameFile compares two checkpoints' tensors bit for bit and their
// "epoch" metadata.
func sameFile(t *testing.T, a, b string) {
	t.Helper()
	fa, err := safetensors.Read(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := safetensors.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	if fa.Metadata["epoch"] != fb.Metadata["epoch"] {
		t.Errorf("%s is of epoch %s, uninterrupted %s", filepath.Base(a), fa.Metadata["epoch"], fb.Metadata["epoch"])
	}
	for name, ta := range fa.Tensors {
		tb, ok := fb.Tensors[name]
		if !ok {
			t.Errorf("%s: %s missing in the uninterrupted run's", filepath.Base(a), name)
			continue
		}
		da, db := ta.Float64s(), tb.Float64s()
		for i := range da {
			if !sameBits(da[i], db[i]) {
				t.Errorf("%s: %s[%d] = %v, uninterrupted %v", filepath.Base(a), name, i, da[i], db[i])
				break
			}
		}
	}
}

// firstCheckpoint trains the callback run of newCallbackRun two epochs on
// seeded two moons and returns the data and the first epoch's checkpoint.
func firstCheckpoint(tb testing.TB) (tr, val *data.Dataset, good *safetensors.File) {
	tb.Helper()
	tr, val = moons(tb, 206, 0.35, 4)
	dir := tb.TempDir()
	must(newCallbackRun(tb, tr, val, 2, dir).tn.Fit(context.Background()))
	return tr, val, must(safetensors.Read(filepath.Join(dir, "epoch-0001.safetensors")))
}
