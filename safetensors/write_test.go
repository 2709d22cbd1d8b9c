package safetensors

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// failAfter passes n bytes through to w, then fails, like a disk that fills
// up or a process that is stopped midway.
type failAfter struct {
	w io.Writer
	n int
}

var errCrash = errors.New("simulated crash")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) <= f.n {
		f.n -= len(p)
		return f.w.Write(p)
	}
	k, _ := f.w.Write(p[:f.n])
	f.n = 0
	return k, errCrash
}

// checkpoint returns a small state_dict-like set of tensors.
func checkpoint(v float64) map[string]*tensor.Dense {
	return map[string]*tensor.Dense{
		"fc.weight":              tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{v, v + 1, v + 2, v + 3})),
		"fc.bias":                tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{-v, v})),
		"bn.num_batches_tracked": tensor.New(tensor.FromScalar(int64(v))),
	}
}

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// oldCheckpoint writes checkpoint(1) to ckpt.safetensors in a new
// directory, the file the tests replace, and returns the directory, the
// file's path and its bytes.
func oldCheckpoint(t *testing.T) (dir, path string, old []byte) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "ckpt.safetensors")
	if err := Write(path, checkpoint(1), nil); err != nil {
		t.Fatal(err)
	}
	old, _ = os.ReadFile(path)
	return dir, path, old
}

// TestWriteReplaces overwrites a file and checks the result, the kept
// permission bits, and that no temporary file is left.
func TestWriteReplaces(t *testing.T) {
	dir, path, _ := oldCheckpoint(t)
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, checkpoint(2), map[string]string{"step": "2"}); err != nil {
		t.Fatal(err)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range checkpoint(2) {
		sameTensor(t, name, f.Tensors[name], w)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", st.Mode().Perm())
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only the file", names)
	}
}

// TestWriteCrashKeepsOldFile fails the write after k bytes for k across the
// whole file and checks each time that the old file is untouched and the
// temporary file is gone.
func TestWriteCrashKeepsOldFile(t *testing.T) {
	dir, path, old := oldCheckpoint(t)
	p, err := newPlan(checkpoint(2), map[string]string{"step": "2"})
	if err != nil {
		t.Fatal(err)
	}
	var full bytes.Buffer
	p.writeTo(&full)
	for k := 0; k < full.Len(); k += 1 + k/4 {
		err := writeAtomic(path, func(w io.Writer) error { return p.writeTo(&failAfter{w: w, n: k}) })
		if !errors.Is(err, errCrash) {
			t.Fatalf("k=%d: error %v, want the simulated crash", k, err)
		}
		if now, _ := os.ReadFile(path); !bytes.Equal(now, old) {
			t.Fatalf("k=%d: old file changed", k)
		}
		if names := dirNames(t, dir); len(names) != 1 {
			t.Fatalf("k=%d: directory holds %v", k, names)
		}
	}
}

// TestWriteRejectsBeforeTouchingDisk checks that invalid tensors leave the
// old file and the directory alone, and that errors name the file.
func TestWriteRejectsBeforeTouchingDisk(t *testing.T) {
	dir, path, old := oldCheckpoint(t)
	bad := checkpoint(2)
	bad["labels"] = tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))
	err := Write(path, bad, nil)
	if e := asError(t, err); e.Op != "write" || e.Path != path || e.Tensor != "labels" {
		t.Errorf("error %q, want a write error naming %s and tensor labels", err, path)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, old) || len(dirNames(t, dir)) != 1 {
		t.Error("rejected write touched the directory")
	}
	missing := filepath.Join(dir, "no", "such", "dir.safetensors")
	if err := Write(missing, checkpoint(1), nil); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("write into a missing directory: %v", err)
	}
}

// crashEnv makes the test binary, run as a child, die midway through a write.
const crashEnv = "SAFETENSORS_TEST_CRASH"

// TestWriteProcessDeath kills a child process in the middle of a write (after
// part of the new file is on disk, with no chance to clean up) and checks that
// the old file is intact, and that the next Write still works.
func TestWriteProcessDeath(t *testing.T) {
	if spec := os.Getenv(crashEnv); spec != "" {
		path, k, _ := strings.Cut(spec, "|")
		n, _ := strconv.Atoi(k)
		p, _ := newPlan(checkpoint(2), nil)
		writeAtomic(path, func(w io.Writer) error {
			p.writeTo(&failAfter{w: w, n: n})
			if f, ok := w.(*os.File); ok {
				f.Sync()
			}
			os.Exit(3) // die here: no deferred cleanup, no rename
			return nil
		})
		os.Exit(4) // not reached
	}
	dir, path, old := oldCheckpoint(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteProcessDeath$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path+"|"+strconv.Itoa(len(old)/2))
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("child: %v, want exit status 3", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, old) {
		t.Fatal("old file changed by a write that died")
	}
	f, err := Read(path)
	if err != nil {
		t.Fatalf("old file unreadable after the crash: %v", err)
	}
	sameTensor(t, "fc.weight", f.Tensors["fc.weight"], checkpoint(1)["fc.weight"])
	if names := dirNames(t, dir); len(names) != 2 || !strings.HasPrefix(names[0], ".ckpt.safetensors.symgrad-") {
		t.Errorf("directory holds %v, want the file and the dead write's temporary file", names)
	}
	if err := Write(path, checkpoint(3), nil); err != nil {
		t.Fatal(err)
	}
	if f, err = Read(path); err != nil {
		t.Fatal(err)
	}
	sameTensor(t, "fc.weight", f.Tensors["fc.weight"], checkpoint(3)["fc.weight"])
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("the next write left the dead write's temporary file: %v", names)
	}
}
