package atomicfile

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestWriteThroughSymlinks checks that a link (relative, absolute, chained,
// dangling) stays a link and its final target gets the new bytes.
func TestWriteThroughSymlinks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		setup    func(dir string) (path, target string)
		existing bool
	}{
		{"relative", func(dir string) (string, string) {
			os.WriteFile(filepath.Join(dir, "target"), []byte("old"), 0o640)
			os.Symlink("target", filepath.Join(dir, "link"))
			return filepath.Join(dir, "link"), filepath.Join(dir, "target")
		}, true},
		{"absolute into another dir", func(dir string) (string, string) {
			os.Mkdir(filepath.Join(dir, "sub"), 0o755)
			tgt := filepath.Join(dir, "sub", "target")
			os.WriteFile(tgt, []byte("old"), 0o640)
			os.Symlink(tgt, filepath.Join(dir, "link"))
			return filepath.Join(dir, "link"), tgt
		}, true},
		{"chain", func(dir string) (string, string) {
			os.WriteFile(filepath.Join(dir, "target"), []byte("old"), 0o640)
			os.Symlink("target", filepath.Join(dir, "l1"))
			os.Symlink("l1", filepath.Join(dir, "l2"))
			return filepath.Join(dir, "l2"), filepath.Join(dir, "target")
		}, true},
		{"dangling", func(dir string) (string, string) {
			os.Symlink("new", filepath.Join(dir, "link"))
			return filepath.Join(dir, "link"), filepath.Join(dir, "new")
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path, target := tc.setup(dir)
			if err := Write(path, writeString("new")); err != nil {
				t.Fatal(err)
			}
			if st, err := os.Lstat(path); err != nil || st.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("%s is no longer a symbolic link (%v)", path, err)
			}
			if got := read(t, target); got != "new" {
				t.Errorf("target holds %q, want new", got)
			}
			st, _ := os.Stat(target)
			if tc.existing && st.Mode().Perm() != 0o640 {
				t.Errorf("target mode %v, want 0640 kept", st.Mode().Perm())
			}
		})
	}
}

// TestWriteRefusesSpecialFiles checks that devices, FIFOs and directories,
// named directly or through a link, are refused and left as they were.
func TestWriteRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Symlink(fifo, filepath.Join(dir, "fifolink"))
	os.Mkdir(filepath.Join(dir, "adir"), 0o755)
	for _, path := range []string{"/dev/null", fifo, filepath.Join(dir, "fifolink"), filepath.Join(dir, "adir")} {
		before, _ := os.Lstat(path)
		err := Write(path, writeString("x"))
		var nr *ErrNotRegular
		if !errors.As(err, &nr) || nr.Path != path {
			t.Errorf("%s: error %v, want *ErrNotRegular naming it", path, err)
			continue
		}
		after, _ := os.Lstat(path)
		if before.Mode() != after.Mode() {
			t.Errorf("%s: mode %v became %v", path, before.Mode(), after.Mode())
		}
	}
	if names, _ := os.ReadDir(dir); len(names) != 3 {
		t.Errorf("refused writes left files: %v", names)
	}
}

// TestWriteRemovesStaleTemporaries checks that temporary files of dead
// processes are removed by the next write, and a live process's are not.
func TestWriteRemovesStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("cannot start a process:", err)
	}
	deadPID := strconv.Itoa(dead.Process.Pid)
	stale := filepath.Join(dir, ".ckpt.symgrad-"+deadPID+"-abc.tmp")
	live := filepath.Join(dir, ".ckpt.symgrad-1-abc.tmp")             // pid 1 always runs
	other := filepath.Join(dir, ".other.symgrad-"+deadPID+"-abc.tmp") // another target's
	for _, p := range []string{stale, live, other} {
		os.WriteFile(p, []byte("partial"), 0o644)
	}
	if err := Write(filepath.Join(dir, "ckpt"), writeString("ok")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Error("a dead process's temporary file survived")
	}
	for _, p := range []string{live, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

// TestWriteFailureKeepsOldFile checks that a failing fill leaves the old
// file and no temporary file.
func TestWriteFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	os.WriteFile(path, []byte("old"), 0o644)
	boom := errors.New("boom")
	if err := Write(path, func(w io.Writer) error { io.WriteString(w, "ha"); return boom }); !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
	if got := read(t, path); got != "old" {
		t.Errorf("old file became %q", got)
	}
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Errorf("directory holds %v", names)
	}
}

// TestResolveLoop checks that a symlink loop is an error, not a hang.
func TestResolveLoop(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.Symlink(b, a)
	os.Symlink(a, b)
	if err := Write(a, writeString("x")); err == nil {
		t.Error("a symlink loop was written through")
	}
}
