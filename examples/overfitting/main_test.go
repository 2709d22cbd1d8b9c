package main

import (
	"testing"

	"github.com/symgrad/symgrad/examples/internal/notebook/notebooktest"
)

// The example's claim, in quick mode: the baseline overfits (validation
// loss far above training loss), and dropout or L2 narrows the gap
// between them.
func TestQuickRun(t *testing.T) {
	res, out := notebooktest.Quick(t, example)
	base := res.gap("baseline")
	if !(res.valLoss["baseline"] > 3*res.trainLoss["baseline"]) {
		t.Errorf("baseline: train %g, validation %g; want it to overfit\n%s", res.trainLoss["baseline"], res.valLoss["baseline"], out)
	}
	drop, l2 := res.gap("dropout 0.5"), res.gap("L2 3e-2")
	if !(drop < 0.75*base || l2 < 0.75*base) {
		t.Errorf("gaps: baseline %g, dropout %g, L2 %g; want dropout or L2 below 3/4 of the baseline's\n%s", base, drop, l2, out)
	}
	notebooktest.CheckFiles(t, res.files, "curves.png", "fits.png")
}

func TestBadSettings(t *testing.T) {
	notebooktest.Fails(t, example, "-epochs", "1", "-train", "10") // not a multiple of 8
}
