package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/symgrad/symgrad/safetensors"
)

// TestDumpNeverReplacesSpecialFiles checks issue 19's second row: --dump
// through a symbolic link writes the link's target and keeps the link; a
// FIFO or a device is refused with exit 2 and left as it was.
func TestDumpNeverReplacesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link.safetensors")
	target := filepath.Join(dir, "target.safetensors")
	if err := os.Symlink("target.safetensors", link); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runArgs("expr", "sum(x*x)", "--var", "x=3", "--dump", link); code != 0 {
		t.Fatalf("dump through a link: exit %d\n%s%s", code, out, errOut)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", st.Mode(), err)
	}
	if f, err := safetensors.Read(target); err != nil || f.Tensors["grad.x"] == nil {
		t.Fatalf("the link's target holds no dump: %v", err)
	}

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, "/dev/full", "/dev/null"} {
		before, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runArgs("expr", "sum(x*x)", "--var", "x=3", "--dump", path)
		if code != 2 || !strings.Contains(errOut, path) || !strings.Contains(errOut, "not a regular file") {
			t.Errorf("--dump %s: exit %d, stderr %q; want 2 and a message naming it", path, code, errOut)
		}
		if after, _ := os.Lstat(path); after.Mode() != before.Mode() {
			t.Errorf("--dump %s changed it from %v to %v", path, before.Mode(), after.Mode())
		}
	}
}
