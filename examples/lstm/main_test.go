package main

import (
	"bytes"
	"os"
	"testing"
)

// The example's claims, in quick mode: the lstm's training loss falls and
// its test error beats predicting the mean; the bilstm's test accuracy is
// above chance (0.2 for 5 classes).
func TestQuickRun(t *testing.T) {
	var out bytes.Buffer
	res, err := run(quickSettings(settings{lr: 3e-3, seed: 1, out: t.TempDir()}), &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !(res.lastLoss < 0.75*res.firstLoss) {
		t.Errorf("lstm training loss %g -> %g, want a fall of at least a quarter", res.firstLoss, res.lastLoss)
	}
	if !(res.testMSE < 0.8*res.variance) {
		t.Errorf("lstm test MSE %g, want below 0.8 x the targets' variance %g", res.testMSE, res.variance)
	}
	if !(res.accuracy > 1.5*res.chance) {
		t.Errorf("bilstm test accuracy %g, want above 1.5 x chance %g", res.accuracy, res.chance)
	}
	if len(res.files) != 3 {
		t.Errorf("files %v, want 3 plots", res.files)
	}
	for _, f := range res.files {
		if st, err := os.Stat(f); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestBadSettings(t *testing.T) {
	if _, err := run(settings{samples: 100, epochs: 1, lr: 1e-3, out: t.TempDir()}, &bytes.Buffer{}); err == nil {
		t.Error("100 samples: want an error")
	}
}
