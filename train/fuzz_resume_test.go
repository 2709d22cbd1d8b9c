package train_test

import (
	"math"
	"path/filepath"
	"sort"
	"testing"

	"github.com/symgrad/symgrad/safetensors"
)

// FuzzResume resumes from a checkpoint (dropout, plateau, EarlyStopping and
// a best-only Checkpoint) whose metadata value at one key (or a new key)
// is fuzzed: Resume must never panic; when it fails the Trainer is
// unchanged, and when it succeeds the epoch and learning rate are in
// range.
func FuzzResume(f *testing.F) {
	tr, val, good := firstCheckpoint(f)
	keys := make([]string, 0, len(good.Metadata))
	for k := range good.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, v := range []string{"NaN", "-1", "9223372036854775807", "1e308", "", "true", "0", "+Inf", "00ff", "Checkpoint"} {
		f.Add(uint16(i*7), "", v)
	}
	f.Add(uint16(0), "callback.7.kind", "EarlyStopping")
	f.Add(uint16(0), "rng.dropout.1.2", "00")
	f.Fuzz(func(t *testing.T, idx uint16, newKey, value string) {
		md := map[string]string{}
		for k, v := range good.Metadata {
			md[k] = v
		}
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
