package main

import (
	"testing"

	"github.com/symgrad/symgrad/examples/internal/notebook/notebooktest"
)

// The example's claims, in quick mode: the lstm's training loss falls to
// a tenth and its test error is a small fraction of predicting the mean
// (below a quarter of the targets' variance; about 3% on seeds 1 to 3);
// the bilstm's test accuracy is at least twice chance (0.2 for 5 classes;
// 0.51 to 0.58 on seeds 1 to 3).
func TestQuickRun(t *testing.T) {
	res, out := notebooktest.Quick(t, example)
	if !(res.lastLoss < 0.1*res.firstLoss) {
		t.Errorf("lstm training loss %g -> %g, want a fall to a tenth\n%s", res.firstLoss, res.lastLoss, out)
	}
	if !(res.testMSE < 0.25*res.variance) {
		t.Errorf("lstm test MSE %g, want below 0.25 x the targets' variance %g\n%s", res.testMSE, res.variance, out)
	}
	if !(res.accuracy >= 2*res.chance) {
		t.Errorf("bilstm test accuracy %g, want at least 2 x chance %g\n%s", res.accuracy, res.chance, out)
	}
	notebooktest.CheckFiles(t, res.files, "lstm_curves.png", "lstm_predictions.png", "bilstm_curves.png")
}

func TestBadSettings(t *testing.T) {
	notebooktest.Fails(t, example, "-samples", "100", "-epochs", "1", "-lr", "1e-3")
}
