package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goBlocks returns the ```go blocks of a Markdown file, in order.
func goBlocks(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for rest := string(b); ; {
		_, after, ok := strings.Cut(rest, "\n```go\n")
		if !ok {
			return blocks
		}
		block, tail, ok := strings.Cut(after, "\n```\n")
		if !ok {
			t.Fatalf("%s: unterminated go block", path)
		}
		blocks, rest = append(blocks, block+"\n"), tail
	}
}

// The README's quickstart used to be a fragment that did not compile as
// pasted (declared and not used: err). Its first Go block is now this
// program, byte for byte, and the digits snippet is part of
// examples/digits/main.go.
func TestREADMEQuickstart(t *testing.T) {
	readme := filepath.Join("..", "..", "README.md")
	blocks := goBlocks(t, readme)
	if len(blocks) < 2 {
		t.Fatalf("README.md has %d go blocks, want the quickstart and the digits model", len(blocks))
	}
	self, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	if blocks[0] != string(self) {
		t.Errorf("README.md's first go block differs from examples/quickstart/main.go: copy main.go into the README")
	}
	digits, err := os.ReadFile(filepath.Join("..", "digits", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(digits), blocks[1]) {
		t.Errorf("README.md's second go block is not in examples/digits/main.go:\n%s", blocks[1])
	}
}

// The quickstart runs and fits y = 2x - 1.
func TestQuickstartRuns(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	main()
	os.Stdout = stdout
	w.Close()
	out := string(<-done)
	if !strings.HasPrefix(out, "loss 0.000000, pred = 2.000 x -1.000") || !strings.Contains(out, "# gradient") {
		t.Errorf("output:\n%s", out)
	}
}

// Every `-data FILE` in the README names a file that exists: it used to
// name datasets/digits.csv.gz, which only a fetch script makes.
func TestREADMEDataPathsExist(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(b))
	n := 0
	for i, f := range fields {
		if f == "-data" && i+1 < len(fields) {
			path := strings.Trim(fields[i+1], "`;,()")
			n++
			if _, err := os.Stat(filepath.Join("..", "..", path)); err != nil {
				t.Errorf("README.md: -data %s: %v", path, err)
			}
		}
	}
	if n == 0 {
		t.Error("no -data example found in README.md")
	}
}
