package main

import (
	"bytes"
	"testing"

	"github.com/symgrad/symgrad/examples/internal/notebook/notebooktest"
)

// The example's claim, in quick mode on the synthetic shapes: LeNet's test
// accuracy is well above chance (0.25 for 4 classes).
func TestQuickShapes(t *testing.T) {
	res, out := notebooktest.Quick(t, example)
	if !(res.accuracy >= 0.8) {
		t.Errorf("test accuracy %.3f, want >= 0.8 (chance %.2f)\n%s", res.accuracy, res.chance, out)
	}
	notebooktest.CheckFiles(t, res.files, "curves.png", "samples.png")
}

// The digits file is brought to LeNet's 28x28: each pixel a 3x3 block,
// scaled to [0, 1], inside a 2-pixel border of zeros.
func TestDigitsTo28(t *testing.T) {
	d, err := images(settings{data: "../../data/testdata/sklearn/digits.csv.gz"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.SampleShape(); len(got) != 3 || got[0] != 1 || got[1] != 28 || got[2] != 28 {
		t.Fatalf("sample shape %v, want (1, 28, 28)", got)
	}
	if d.Len() != 1797 || d.NumClasses() != 10 {
		t.Errorf("%d images of %d classes, want 1797 of 10", d.Len(), d.NumClasses())
	}
	px := d.X.Data().([]float64)[:784]
	for k, v := range px {
		r, c := k/28, k%28
		if (r < 2 || r >= 26 || c < 2 || c >= 26) && v != 0 {
			t.Fatalf("border pixel (%d, %d) = %g, want 0", r, c, v)
		}
		if v < 0 || v > 1 {
			t.Fatalf("pixel (%d, %d) = %g outside [0, 1]", r, c, v)
		}
		if r >= 2 && r < 26 && c >= 2 && c < 26 && v != px[((r-2)/3*3+2)*28+(c-2)/3*3+2] {
			t.Fatalf("pixel (%d, %d) differs from its 3x3 block's corner", r, c)
		}
	}
}

func TestBadSettings(t *testing.T) {
	notebooktest.Fails(t, example, "-epochs", "0", "-samples", "100", "-lr", "1e-3")
}
