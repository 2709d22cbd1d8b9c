package main

import (
	"testing"

	"github.com/symgrad/symgrad/examples/internal/notebook/notebooktest"
)

// The example's claims, in quick mode (sequences of 6, 150 steps): before
// training the encoder is at chance (10% of digits); after it, at least
// 95% of the test digits are right (100% on seeds 1 to 3), while the same
// network with a position-wise block instead of attention stays below 20%
// (it cannot see the mirrored digit); and the attention layer attends to
// the mirrored position (mean head-averaged weight above 0.5, 0.85 on
// seed 1, where uniform attention gives 1/6).
func TestQuickRun(t *testing.T) {
	res, out := notebooktest.Quick(t, example)
	if !(res.before < 0.2) {
		t.Errorf("accuracy before training %g, want below 0.2\n%s", res.before, out)
	}
	if !(res.after >= 0.95) {
		t.Errorf("accuracy after training %g, want at least 0.95\n%s", res.after, out)
	}
	if !(res.control < 0.2) {
		t.Errorf("control (no attention) accuracy %g, want below 0.2\n%s", res.control, out)
	}
	if !(res.mirror > 0.5) {
		t.Errorf("attention on the mirrored position %g, want above 0.5\n%s", res.mirror, out)
	}
	if len(res.losses) != 150 || !(res.losses[len(res.losses)-1] < 0.1*res.losses[0]) {
		t.Errorf("losses: %d recorded, %g -> %g, want 150 and a fall to a tenth", len(res.losses), res.losses[0], res.losses[len(res.losses)-1])
	}
	notebooktest.CheckFiles(t, res.files, "loss.png", "attention.png")
}

func TestBadSettings(t *testing.T) {
	notebooktest.Fails(t, example, "-length", "1", "-steps", "1", "-batch", "1", "-lr", "1e-3")
}
