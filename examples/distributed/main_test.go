package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/parallel"
	"github.com/symgrad/symgrad/parallel/mpi"
	"github.com/symgrad/symgrad/safetensors"
)

// childEnv, when set, makes the test binary the distributed program itself
// (the MPI tests run it under mpirun): its value holds the arguments,
// separated by argSep.
const (
	childEnv  = "SYMGRAD_DISTRIBUTED_ARGS"
	pidDirEnv = "SYMGRAD_DISTRIBUTED_PIDS" // where each rank writes its pid
	argSep    = "\x1f"
)

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(childEnv); ok {
		if dir := os.Getenv(pidDirEnv); dir != "" {
			name := filepath.Join(dir, "rank"+os.Getenv("OMPI_COMM_WORLD_RANK"))
			_ = os.WriteFile(name, []byte(fmt.Sprint(os.Getpid())), 0o644)
		}
		w, err := mpi.Init()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		code := run(strings.Split(args, argSep), os.Stdout, os.Stderr, w)
		_ = w.Finalize()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// oneProcess is the world of a run inside the test process.
type oneProcess struct{ parallel.Local }

func (oneProcess) SetTimeout(time.Duration) {}
func (oneProcess) Abort(int)                {}

// runArgs runs the program in this process and returns its exit status,
// stdout and stderr.
func runArgs(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb, oneProcess{})
	return code, out.String(), errb.String()
}

// trainArgs are the arguments of a run of model name with r replicas.
func trainArgs(name string, steps, batch, r int, out string) []string {
	return []string{"-model", name, "-steps", fmt.Sprint(steps), "-batch", fmt.Sprint(batch),
		"-seed", "7", "-replicas", fmt.Sprint(r), "-out", out}
}

// readWeights reads a weights file as float64s by tensor name.
func readWeights(t *testing.T, path string) map[string][]float64 {
	t.Helper()
	f, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]float64{}
	for name, v := range f.Tensors {
		switch v.Dtype() {
		case tensor.Float64:
			out[name] = v.Float64s()
		case tensor.Float32:
			for _, x := range v.Float32s() {
				out[name] = append(out[name], float64(x))
			}
		}
	}
	return out
}

// maxDiff is the largest difference between two weight files' tensors.
func maxDiff(t *testing.T, a, b map[string][]float64) float64 {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d tensors against %d", len(a), len(b))
	}
	worst := 0.0
	for k, va := range a {
		vb, ok := b[k]
		if !ok || len(vb) != len(va) {
			t.Fatalf("tensor %q: %d values against %d", k, len(va), len(vb))
		}
		for i := range va {
			if d := math.Abs(va[i] - vb[i]); d > worst || math.IsNaN(d) {
				worst = d
			}
		}
	}
	return worst
}

// reference trains name with one replica and returns its weights.
func reference(t *testing.T, name string, steps, batch int) map[string][]float64 {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ref.safetensors")
	if code, _, stderr := runArgs(t, trainArgs(name, steps, batch, 1, path)...); code != 0 {
		t.Fatalf("reference run: exit %d: %s", code, stderr)
	}
	return readWeights(t, path)
}

// checkWeightsOfOne trains each of an MLP, an LSTM and an MLP with batch
// norm for 12 Adam steps in one process with one replica, then, in a
// subtest named model/label+r for each r of replicas, trains it again with
// train(t, model, r, path), which writes its weights to path, and checks
// that they are the one replica's (to 1e-9).
func checkWeightsOfOne(t *testing.T, label string, replicas []int, train func(t *testing.T, name string, r int, path string)) {
	for _, name := range []string{"mlp", "lstm", "mlpbn"} {
		ref := reference(t, name, 12, 8)
		for _, r := range replicas {
			t.Run(fmt.Sprintf("%s/%s%d", name, label, r), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "w.safetensors")
				train(t, name, r, path)
				d := maxDiff(t, readWeights(t, path), ref)
				t.Logf("largest difference from one process: %g", d)
				if d > 1e-9 {
					t.Fatalf("weights differ from one process with one replica by %g", d)
				}
			})
		}
	}
}

// TestReplicasGiveTheWeightsOfOne: 2 and 4 replicas write the weights of
// one replica (to 1e-9) after 12 Adam steps, and print samples/s.
func TestReplicasGiveTheWeightsOfOne(t *testing.T) {
	checkWeightsOfOne(t, "replicas=", []int{2, 4}, func(t *testing.T, name string, r int, path string) {
		code, stdout, stderr := runArgs(t, trainArgs(name, 12, 8, r, path)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !regexp.MustCompile(`(?m)^samples/s [0-9.]+$`).MatchString(stdout) {
			t.Errorf("no samples/s line in\n%s", stdout)
		}
	})
}

// TestEveryZooModel trains every zoo model for two steps with two replicas
// and checks that the file holds its state dict under PyTorch's names.
func TestEveryZooModel(t *testing.T) {
	for _, name := range models.Names() {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "w.safetensors")
			if code, _, stderr := runArgs(t, trainArgs(name, 2, 4, 2, path)...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			m, err := models.Build(name, models.Config{Batch: 2})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.LoadCheckpoint(path, m); err != nil {
				t.Fatalf("the weights do not load into a fresh %s: %v", name, err)
			}
		})
	}
}

// TestBadUsage: a batch that P·R does not divide, an unknown model, and bad
// numbers exit 2 with a message.
func TestBadUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-model", "mlp", "-batch", "6", "-replicas", "4", "-steps", "1"}, "not divisible by 1 ranks x 4 replicas"},
		{[]string{"-model", "nosuch"}, `no model "nosuch"`},
		{[]string{"-model", "mlp", "-replicas", "0"}, "-replicas 0"},
		{[]string{"-model", "mlp", "extra"}, "unexpected arguments"},
	} {
		code, _, stderr := runArgs(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// TestResume: 6 steps, then 6 more from the checkpoint, give the weights of
// 12 steps in one go.
func TestResume(t *testing.T) {
	dir := t.TempDir()
	ck, half, whole := filepath.Join(dir, "ck.safetensors"), filepath.Join(dir, "half.safetensors"), filepath.Join(dir, "whole.safetensors")
	if code, _, stderr := runArgs(t, append(trainArgs("mlp", 6, 8, 2, half), "-checkpoint", ck, "-every", "3")...); code != 0 {
		t.Fatalf("first half: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runArgs(t, append(trainArgs("mlp", 12, 8, 2, half), "-resume", ck)...); code != 0 {
		t.Fatalf("second half: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runArgs(t, trainArgs("mlp", 12, 8, 2, whole)...); code != 0 {
		t.Fatalf("whole run: exit %d: %s", code, stderr)
	}
	if d := maxDiff(t, readWeights(t, half), readWeights(t, whole)); d != 0 {
		t.Fatalf("resumed run differs from an uninterrupted one by %g", d)
	}
}
