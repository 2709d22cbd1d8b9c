package main

import (
	"bytes"
	"os"
	"testing"
)

// The example's claim, in quick mode: the baseline overfits (validation
// loss far above training loss), and dropout or L2 narrows the gap
// between them.
func TestQuickRun(t *testing.T) {
	var out bytes.Buffer
	s := quickSettings(settings{train: 16, noise: 0.3, seed: 1, out: t.TempDir()})
	res, err := run(s, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	base := res.gap("baseline")
	if !(res.valLoss["baseline"] > 3*res.trainLoss["baseline"]) {
		t.Errorf("baseline: train %g, validation %g; want it to overfit\n%s", res.trainLoss["baseline"], res.valLoss["baseline"], out.String())
	}
	drop, l2 := res.gap("dropout 0.5"), res.gap("L2 3e-2")
	if !(drop < 0.75*base || l2 < 0.75*base) {
		t.Errorf("gaps: baseline %g, dropout %g, L2 %g; want dropout or L2 below 3/4 of the baseline's\n%s", base, drop, l2, out.String())
	}
	for _, f := range res.files {
		if st, err := os.Stat(f); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestBadSettings(t *testing.T) {
	if _, err := run(settings{epochs: 1, train: 10, out: t.TempDir()}, &bytes.Buffer{}); err == nil {
		t.Error("10 training samples (not a multiple of 8): want an error")
	}
}
