package train_test

import (
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/safetensors"
)

// TestResumeRefusesHostileState: out-of-range metadata, mis-shaped or
// non-finite tensors and missing callback or random-stream state are
// errors naming the key or tensor, and leave the Trainer unchanged.
func TestResumeRefusesHostileState(t *testing.T) {
	tr, val, good := firstCheckpoint(t)

	// edit writes a copy of the good checkpoint changed by f.
	edit := func(name string, f func(md map[string]string, ts map[string]*tensor.Dense)) string {
		md := maps.Clone(good.Metadata)
		ts := map[string]*tensor.Dense{}
		for k, v := range good.Tensors {
			ts[k] = v.Clone().(*tensor.Dense)
		}
		f(md, ts)
		p := filepath.Join(t.TempDir(), name+".safetensors")
		if err := safetensors.Write(p, ts, md); err != nil {
			t.Fatal(err)
		}
		return p
	}
	setMeta := func(k, v string) func(map[string]string, map[string]*tensor.Dense) {
		return func(md map[string]string, _ map[string]*tensor.Dense) { md[k] = v }
	}
	dropMeta := func(prefix string) func(map[string]string, map[string]*tensor.Dense) {
		return func(md map[string]string, _ map[string]*tensor.Dense) {
			for k := range md {
				if strings.HasPrefix(k, prefix) {
					delete(md, k)
				}
			}
		}
	}
	cases := []struct {
		name string
		f    func(map[string]string, map[string]*tensor.Dense)
		want []string
	}{
		{"lr NaN", setMeta("lr", "NaN"), []string{`"lr"`, "NaN"}},
		{"lr negative", setMeta("lr", "-1"), []string{`"lr"`, "-1", "non-negative"}},
		{"lr infinite", setMeta("lr", "+Inf"), []string{`"lr"`, "+Inf"}},
		{"epoch MaxInt", setMeta("epoch", "9223372036854775807"), []string{`"epoch"`, "9223372036854775807"}},
		{"epoch negative", setMeta("epoch", "-3"), []string{`"epoch"`, "-3"}},
		{"step beyond 2^40", setMeta("step", "1099511627777"), []string{`"step"`}},
		{"plateau best NaN", setMeta("plateau.best", "NaN"), []string{`"plateau.best"`, "NaN"}},
		{"plateau last_lr negative", setMeta("plateau.last_lr", "-0.5"), []string{`"plateau.last_lr"`}},
		{"plateau bad epochs negative", setMeta("plateau.num_bad_epochs", "-1"), []string{`"plateau.num_bad_epochs"`}},
		{"no dropout stream state", dropMeta("rng."), []string{"random stream b", "holds no"}},
		{"bad dropout stream state", func(md map[string]string, _ map[string]*tensor.Dense) {
			for k := range md {
				if strings.HasPrefix(k, "rng.") {
					md[k] = "00ff"
				}
			}
		}, []string{"dropout.11."}},
		{"unknown stream", setMeta("rng.dropout.99.1", "00"), []string{"rng.dropout.99.1", "no random stream"}},
		{"no callback state", dropMeta("callback."), []string{"Config.Callbacks[0] (Checkpoint)", "holds none"}},
		{"callback state of another kind", setMeta("callback.1.kind", "Checkpoint"), []string{"Checkpoint state for Config.Callbacks[1], which is a EarlyStopping"}},
		{"early stopping wait negative", setMeta("callback.1.wait", "-2"), []string{"Config.Callbacks[1]", `"wait"`}},
		{"early stopping best NaN", setMeta("callback.1.best", "NaN"), []string{"Config.Callbacks[1]", `"best"`}},
		{"checkpoint monitors another value", setMeta("callback.0.monitor", "loss"), []string{"Config.Callbacks[0]", `monitors "loss"`}},
		{"optimizer state of the wrong shape", func(_ map[string]string, ts map[string]*tensor.Dense) {
			ts["optimizer.fc1.weight.exp_avg"] = tensor.New(tensor.WithShape(2, 16), tensor.WithBacking(make([]float64, 32)))
		}, []string{`"optimizer.fc1.weight.exp_avg"`, "(2, 16)", "(16, 2)"}},
		{"optimizer step of two values", func(_ map[string]string, ts map[string]*tensor.Dense) {
			ts["optimizer.fc1.weight.step"] = tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))
		}, []string{`"optimizer.fc1.weight.step"`, "one value"}},
		{"optimizer state NaN", func(_ map[string]string, ts map[string]*tensor.Dense) {
			ts["optimizer.fc2.bias.exp_avg_sq"] = tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{math.NaN()}))
		}, []string{`"optimizer.fc2.bias.exp_avg_sq"`, "NaN"}},
		{"weight NaN", func(_ map[string]string, ts map[string]*tensor.Dense) {
			ts["fc2.weight"].Float64s()[3] = math.Inf(-1)
		}, []string{`"fc2.weight"`, "-Inf", "flat index 3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := edit(strings.ReplaceAll(c.name, " ", "_"), c.f)
			r := newCallbackRun(t, tr, val, 1, t.TempDir())
			before := r.tn.Model().StateDict()[0].Tensor.Float64s()[0]
			lr := r.tn.Optimizer().LR()
			err := r.tn.Resume(path)
			if err == nil {
				t.Fatal("Resume accepted it")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if r.tn.Epoch() != 0 || r.tn.Step() != 0 || r.tn.Optimizer().LR() != lr || r.tn.Model().StateDict()[0].Tensor.Float64s()[0] != before {
				t.Error("a failed Resume changed the trainer")
			}
		})
	}
	// The unedited file resumes (the cases fail for their edit alone).
	if err := newCallbackRun(t, tr, val, 1, t.TempDir()).tn.Resume(edit("unchanged", func(map[string]string, map[string]*tensor.Dense) {})); err != nil {
		t.Fatalf("the unedited checkpoint: %v", err)
	}
}

// FuzzResume resumes from a checkpoint (dropout, plateau, EarlyStopping and
// a best-only Checkpoint) whose metadata value at one key (or a new key)
// is fuzzed: Resume must never panic; when it fails the Trainer is
// unchanged, and when it succeeds the epoch and learning rate are in
// range.
func FuzzResume(f *testing.F) {
	tr, val, good := firstCheckpoint(f)
	keys := slices.Sorted(maps.Keys(good.Metadata))
	for i, v := range []string{"NaN", "-1", "9223372036854775807", "1e308", "", "true", "0", "+Inf", "00ff", "Checkpoint"} {
		f.Add(uint16(i*7), "", v)
	}
	f.Add(uint16(0), "callback.7.kind", "EarlyStopping")
	f.Add(uint16(0), "rng.dropout.1.2", "00")
	f.Fuzz(func(t *testing.T, idx uint16, newKey, value string) {
		md := maps.Clone(good.Metadata)
		key := keys[int(idx)%len(keys)]
		if newKey != "" {
			key = newKey
		}
		md[key] = value
		path := filepath.Join(t.TempDir(), "c.safetensors")
		if err := safetensors.Write(path, good.Tensors, md); err != nil {
			return // a metadata key the format refuses
		}
		r := newCallbackRun(t, tr, val, 1, t.TempDir())
		lr := r.tn.Optimizer().LR()
		if err := r.tn.Resume(path); err != nil {
			if r.tn.Epoch() != 0 || r.tn.Step() != 0 || r.tn.Optimizer().LR() != lr {
				t.Fatalf("a failed Resume (%s=%q) changed the trainer: %v", key, value, err)
			}
			return
		}
		if e := r.tn.Epoch(); e < 1 || e > 1<<40+1 {
			t.Fatalf("%s=%q: resumed at epoch %d", key, value, e)
		}
		if lr := r.tn.Optimizer().LR(); math.IsNaN(lr) || math.IsInf(lr, 0) || lr < 0 {
			t.Fatalf("%s=%q: resumed with learning rate %v", key, value, lr)
		}
	})
}
