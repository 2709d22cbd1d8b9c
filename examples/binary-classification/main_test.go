package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symgrad/symgrad/examples/internal/notebook/notebooktest"
)

// Two moons in quick mode: the network separates them, and the boundary
// plot is drawn.
func TestQuickMoons(t *testing.T) {
	res, out := notebooktest.Quick(t, example)
	if res.accuracy < 0.9 {
		t.Errorf("test accuracy %.3f on two moons, want >= 0.9\n%s", res.accuracy, out)
	}
	notebooktest.CheckFiles(t, res.files, "curves.png", "boundary.png")
}

// The seed's claim: on scikit-learn's breast-cancer data the network
// reaches at least 95% accuracy on the held-out test split. Each seed draws
// another split, other initial weights and another batch order; the
// file's defaults hold the claim on seeds 1 to 10 (seeds 1 to 3 here, to
// keep the test short), which the deep two-moons network does not.
func TestBreastCancer(t *testing.T) {
	file := filepath.Join("..", "..", "data", "testdata", "sklearn", "breast_cancer.csv")
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			res, out := notebooktest.Quick(t, example, "-data", file, "-seed", fmt.Sprint(seed))
			if res.accuracy < 0.95 {
				t.Errorf("test accuracy %.4f on breast cancer, want >= 0.95\n%s", res.accuracy, out)
			}
			c := res.confusion
			if n := c[0][0] + c[0][1] + c[1][0] + c[1][1]; n != 114 {
				t.Errorf("confusion matrix counts %d test samples, want 114 (20%% of 569)", n)
			}
			for _, want := range []string{"malignant", "benign", "precision", "confusion matrix", "dropout 0.3", "L2 0.02"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q", want)
				}
			}
			notebooktest.CheckFiles(t, res.files, "curves.png")
		})
	}
}

// Flags given on the command line win over a file's defaults.
func TestFileDefaults(t *testing.T) {
	s := defaults()
	s.lr, s.l2 = 0.01, 0.5
	f := fileDefaults(s, map[string]bool{"lr": true})
	if f.lr != 0.01 || f.l2 != 0.02 || f.dropout != 0.3 || len(f.hidden) != 1 || f.hidden[0] != 16 {
		t.Errorf("fileDefaults with -lr 0.01 set: lr %g l2 %g dropout %g hidden %v, want 0.01, 0.02, 0.3, [16]", f.lr, f.l2, f.dropout, f.hidden)
	}
}

// The same seed gives the same result.
func TestDeterministic(t *testing.T) {
	s := notebooktest.Settings(t, example, "-samples", "200", "-epochs", "3")
	a, _ := notebooktest.Run(t, example, s)
	b, _ := notebooktest.Run(t, example, s)
	if a.confusion != b.confusion {
		t.Errorf("confusion matrices %v and %v from the same seed", a.confusion, b.confusion)
	}
}

func TestBadInput(t *testing.T) {
	iris := filepath.Join("..", "..", "data", "testdata", "sklearn", "iris.csv")
	if err := notebooktest.Fails(t, example, "-data", iris); err != nil && !strings.Contains(err.Error(), "two classes") {
		t.Errorf("iris (3 classes): got %v, want an error about two classes", err)
	}
	if _, err := parseWidths("32,x"); err == nil {
		t.Error(`parseWidths("32,x"): want an error`)
	}
}
