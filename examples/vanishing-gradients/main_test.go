package main

import (
	"testing"

	"github.com/symgrad/symgrad/examples/internal/notebook/notebooktest"
)

// The example's claims, in quick mode: in the deep sigmoid network the
// first layer's gradient is at least 100 times smaller than the last
// layer's, and with ReLU and batch norm it is not (within a factor of 10);
// with large initial weights plain SGD diverges and clipping the gradient
// norm lets the same network train.
func TestQuickRun(t *testing.T) {
	res, _ := notebooktest.Quick(t, example)
	if r := res.ratio["sigmoid"]; !(r <= 1e-2) {
		t.Errorf("sigmoid: first/last layer gradient norm %g, want <= 1e-2", r)
	}
	if r := res.ratio["relu+bn"]; !(r >= 0.1 && r <= 10) {
		t.Errorf("relu+bn: first/last layer gradient norm %g, want within a factor of 10 of 1", r)
	}
	if !(res.ratio["sigmoid"] < res.ratio["relu"] && res.ratio["relu"] < res.ratio["relu+bn"]) {
		t.Errorf("ratios %v: want sigmoid < relu < relu+bn", res.ratio)
	}
	if !(res.accuracy["relu+bn"] > 0.85) {
		t.Errorf("relu+bn training accuracy %.3f, want > 0.85", res.accuracy["relu+bn"])
	}
	if !res.unclippedDiverged {
		t.Error("with large initial weights, unclipped SGD did not diverge")
	}
	if !(res.clippedLast < res.clippedFirst/2) {
		t.Errorf("clipped run: loss %g -> %g, want at least halved", res.clippedFirst, res.clippedLast)
	}
	notebooktest.CheckFiles(t, res.files, "gradient_by_layer.png", "gradient_per_epoch.png", "exploding.png")
}

func TestBadSettings(t *testing.T) {
	notebooktest.Fails(t, example, "-epochs", "1", "-steps", "10", "-samples", "64", "-depth", "1")
}
