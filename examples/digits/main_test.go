package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symgrad/symgrad/models"
)

// codeLines counts the lines that are neither blank nor comments (// in
// Go, # in Python).
func codeLines(t *testing.T, path, comment string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, comment) {
			n++
		}
	}
	return n
}

// The Go program is at most twice its PyTorch twin (issue 17's target).
func TestAtMostTwicePyTorch(t *testing.T) {
	goLines, pyLines := codeLines(t, "main.go", "//"), codeLines(t, "digits_torch.py", "#")
	t.Logf("main.go %d lines of code, digits_torch.py %d: ratio %.2f", goLines, pyLines, float64(goLines)/float64(pyLines))
	if goLines > 2*pyLines {
		t.Errorf("main.go has %d lines of code, more than twice digits_torch.py's %d", goLines, pyLines)
	}
}

// The program trains to a test accuracy well above chance and writes a
// checkpoint with PyTorch's names (run in a scratch directory holding the
// data at the path the program reads).
func TestDigits(t *testing.T) {
	dir := t.TempDir()
	src, err := filepath.Abs(filepath.Join("..", "..", "data", "testdata", "sklearn", "digits.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "data", "testdata", "sklearn"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(src, filepath.Join(dir, "data", "testdata", "sklearn", "digits.csv.gz")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	r, w, _ := os.Pipe()
	stdout := os.Stdout
	os.Stdout = w
	main()
	os.Stdout = stdout
	w.Close()
	b, _ := io.ReadAll(r)
	var acc float64
	if _, err := fmt.Sscanf(string(b), "test accuracy %f", &acc); err != nil || acc < 0.95 {
		t.Errorf("output %q: accuracy %v (%v)", b, acc, err)
	}
	m, err := build(1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.LoadCheckpoint("digits.safetensors", m); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.StateNames(), " "); got != "fc1.weight fc1.bias fc2.weight fc2.bias" {
		t.Errorf("state dict %q", got)
	}
}
