package models

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"gorgonia.org/tensor"
)

// crashEnv, when set, makes TestCrashChild save checkpoints to the path it
// names in a loop until the parent kills it.
const crashEnv = "SYMGRAD_MODELS_CRASH_CHILD"

// TestCrashChild is the child process of TestCrashMidSave; it does nothing
// in a normal test run.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("only run as TestCrashMidSave's child")
	}
	m, err := Build("mlp", Config{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path+".started", nil, 0o644)
	for {
		if err := SaveCheckpoint(path, m, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCrashMidSave kills (SIGKILL) a process while it is saving an mlp
// checkpoint (1.9 MB) over and over on top of a previous one: whenever it
// dies, the file at the path loads and holds either the previous
// checkpoint or a whole new one, never a mixture or a torn file.
func TestCrashMidSave(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	old, _ := Build("mlp", Config{Seed: 1})
	newer, _ := Build("mlp", Config{Seed: 2})
	for round, delay := range []time.Duration{0, 30, 140} {
		if err := SaveCheckpoint(path, old, nil, nil); err != nil {
			t.Fatal(err)
		}
		os.Remove(path + ".started")
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(path + ".started"); err == nil {
				break
			}
		}
		time.Sleep(delay * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		tmps, _ := filepath.Glob(filepath.Join(dir, ".ckpt.safetensors.tmp-*"))
		for _, f := range tmps { // a kill mid-write leaves its temporary file
			os.Remove(f)
		}
		got, _ := Build("mlp", Config{Seed: 3})
		if _, err := LoadCheckpoint(path, got); err != nil {
			t.Fatalf("round %d: the checkpoint does not load after a crash: %v", round, err)
		}
		switch w := got.Params[0].Value().(*tensor.Dense).Data(); {
		case reflect.DeepEqual(w, old.Params[0].Value().(*tensor.Dense).Data()):
			t.Logf("round %d: killed after %v (%d temporary file(s) left mid-write): the previous checkpoint", round, delay*time.Millisecond, len(tmps))
		case reflect.DeepEqual(w, newer.Params[0].Value().(*tensor.Dense).Data()):
			t.Logf("round %d: killed after %v (%d temporary file(s) left mid-write): a complete new checkpoint", round, delay*time.Millisecond, len(tmps))
		default:
			t.Fatalf("round %d: the checkpoint holds neither the old nor the new weights", round)
		}
	}
}

// TestFailedSaveKeepsOld: a save that fails (an unwritable optimizer
// tensor) leaves the previous checkpoint as it was.
func TestFailedSaveKeepsOld(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.safetensors")
	m, _ := Build("binary", Config{Seed: 1})
	if err := SaveCheckpoint(path, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	bad := map[string]*tensor.Dense{"x": tensor.New(tensor.WithBacking([]complex128{1}))}
	if err := SaveCheckpoint(path, m, bad, nil); err == nil {
		t.Fatal("saving a complex128 tensor succeeded")
	}
	after, _ := os.ReadFile(path)
	if !reflect.DeepEqual(before, after) {
		t.Error("a failed save changed the checkpoint")
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("the directory holds %d files after a failed save, want 1", len(ents))
	}
}
