package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Two moons in quick mode: the network separates them, and the boundary
// plot is drawn.
func TestQuickMoons(t *testing.T) {
	var out bytes.Buffer
	res, err := run(quickSettings(settingsFor(t, "")), &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if res.accuracy < 0.9 {
		t.Errorf("test accuracy %.3f on two moons, want >= 0.9\n%s", res.accuracy, out.String())
	}
	checkFiles(t, res.files, "curves.png", "boundary.png")
}

// The seed's claim: on scikit-learn's breast-cancer data the network
// reaches at least 95% accuracy on the held-out test split.
func TestBreastCancer(t *testing.T) {
	file := filepath.Join("..", "..", "data", "testdata", "sklearn", "breast_cancer.csv")
	var out bytes.Buffer
	res, err := run(quickSettings(settingsFor(t, file)), &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if res.accuracy < 0.95 {
		t.Errorf("test accuracy %.4f on breast cancer, want >= 0.95\n%s", res.accuracy, out.String())
	}
	c := res.confusion
	if n := c[0][0] + c[0][1] + c[1][0] + c[1][1]; n != 114 {
		t.Errorf("confusion matrix counts %d test samples, want 114 (20%% of 569)", n)
	}
	for _, want := range []string{"malignant", "benign", "precision", "confusion matrix"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	checkFiles(t, res.files, "curves.png")
}

// The same seed gives the same result.
func TestDeterministic(t *testing.T) {
	s := settingsFor(t, "")
	s.samples, s.epochs = 200, 3
	a, err := run(s, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := run(s, &bytes.Buffer{})
	if a.confusion != b.confusion {
		t.Errorf("confusion matrices %v and %v from the same seed", a.confusion, b.confusion)
	}
}

func TestBadInput(t *testing.T) {
	s := settingsFor(t, filepath.Join("..", "..", "data", "testdata", "sklearn", "iris.csv"))
	if _, err := run(s, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "two classes") {
		t.Errorf("iris (3 classes): got %v, want an error about two classes", err)
	}
	if _, err := parseWidths("32,x"); err == nil {
		t.Error(`parseWidths("32,x"): want an error`)
	}
}

func settingsFor(t *testing.T, file string) settings {
	s := defaults()
	s.data, s.out = file, t.TempDir()
	return s
}

func checkFiles(t *testing.T, files []string, want ...string) {
	t.Helper()
	if len(files) != len(want) {
		t.Fatalf("files %v, want %v", files, want)
	}
	for i, f := range files {
		st, err := os.Stat(f)
		if err != nil || st.Size() < 1000 || filepath.Base(f) != want[i] {
			t.Errorf("%s: %v (want %s)", f, err, want[i])
		}
	}
}
