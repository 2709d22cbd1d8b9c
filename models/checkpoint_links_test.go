package models

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSaveCheckpointThroughLinksAndSpecialFiles checks issue 19's second
// row for checkpoints: a save through a symbolic link replaces the link's
// target and keeps the link; a FIFO is refused, named, and left alone.
func TestSaveCheckpointThroughLinksAndSpecialFiles(t *testing.T) {
	m, err := Build("simplenet", Config{Batch: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	link, target := filepath.Join(dir, "last.safetensors"), filepath.Join(dir, "epoch3.safetensors")
	if err := os.Symlink("epoch3.safetensors", link); err != nil {
		t.Fatal(err)
	}
	if err := SaveCheckpoint(link, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced (%v)", err)
	}
	if _, err := LoadCheckpoint(target, m); err != nil {
		t.Fatalf("the link's target is no checkpoint: %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	err = SaveCheckpoint(fifo, m, nil, nil)
	if err == nil || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("saving to a FIFO: %v", err)
	}
	if st, _ := os.Lstat(fifo); st.Mode()&os.ModeNamedPipe == 0 {
		t.Error("the FIFO was replaced")
	}
}
