package main

import (
	"bytes"
	"os"
	"testing"
)

// The example's claims, in quick mode: the lstm's training loss falls to
// a tenth and its test error is a small fraction of predicting the mean
// (below a quarter of the targets' variance; about 3% on seeds 1 to 3);
// the bilstm's test accuracy is at least twice chance (0.2 for 5 classes;
// 0.51 to 0.58 on seeds 1 to 3).
func TestQuickRun(t *testing.T) {
	var out bytes.Buffer
	res, err := run(quickSettings(settings{lr: 3e-3, clip: 1, seed: 1, out: t.TempDir()}), &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !(res.lastLoss < 0.1*res.firstLoss) {
		t.Errorf("lstm training loss %g -> %g, want a fall to a tenth\n%s", res.firstLoss, res.lastLoss, out.String())
	}
	if !(res.testMSE < 0.25*res.variance) {
		t.Errorf("lstm test MSE %g, want below 0.25 x the targets' variance %g\n%s", res.testMSE, res.variance, out.String())
	}
	if !(res.accuracy >= 2*res.chance) {
		t.Errorf("bilstm test accuracy %g, want at least 2 x chance %g\n%s", res.accuracy, res.chance, out.String())
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
