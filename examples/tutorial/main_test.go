package main

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/symgrad/symgrad/examples/internal/notebook/notebooktest"
)

// The tutorial's claims: gradcheck passes, the model learns the moons,
// and the reloaded checkpoint scores what the trained model scored.
func TestTutorial(t *testing.T) {
	res, out := notebooktest.Run(t, example, notebooktest.Settings(t, example))
	if !res.gradcheckOK {
		t.Errorf("gradcheck failed\n%s", out)
	}
	if res.testAccuracy < 0.9 {
		t.Errorf("test accuracy %.3f, want >= 0.9", res.testAccuracy)
	}
	if res.reloadedAccuracy != res.testAccuracy {
		t.Errorf("reloaded model: accuracy %v, trained model %v", res.reloadedAccuracy, res.testAccuracy)
	}
}

// Every Go code block of docs/tutorial.md appears in main.go, line for
// line (ignoring indentation), so the tutorial's code compiles and runs.
func TestTutorialInSync(t *testing.T) {
	md, err := os.ReadFile("../../docs/tutorial.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	code := trimmedLines(string(src))
	blocks := goBlocks(string(md))
	if len(blocks) < 5 {
		t.Fatalf("docs/tutorial.md has %d Go blocks, want at least 5", len(blocks))
	}
	for i, b := range blocks {
		if !containsRun(code, trimmedLines(b)) {
			t.Errorf("Go block %d of docs/tutorial.md is not in examples/tutorial/main.go:\n%s", i+1, b)
		}
	}
}

// goBlocks returns the contents of the ```go fenced blocks of md.
func goBlocks(md string) []string {
	var blocks []string
	var cur []string
	in := false
	sc := bufio.NewScanner(strings.NewReader(md))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && strings.TrimSpace(line) == "```go":
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// trimmedLines returns the non-empty lines of s without their indentation.
func trimmedLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// containsRun reports whether want occurs in lines as consecutive lines.
func containsRun(lines, want []string) bool {
	for i := 0; i+len(want) <= len(lines); i++ {
		match := true
		for j, w := range want {
			if lines[i+j] != w {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
