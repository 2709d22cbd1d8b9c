package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// The example's claims: the chain rule by hand gives the program's
// gradients, one SGD step lowers the loss, and gradcheck passes.
func TestQuickRun(t *testing.T) {
	var out bytes.Buffer
	res, err := run(settings{lr: 0.05, seed: 1, out: t.TempDir(), quick: true}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if res.maxHandDiff > 1e-12 {
		t.Errorf("hand-computed gradients differ from the symbolic ones by %g", res.maxHandDiff)
	}
	if !(res.lossAfter < res.lossBefore) {
		t.Errorf("loss went from %g to %g after one SGD step; want lower", res.lossBefore, res.lossAfter)
	}
	if !res.gradcheckOK {
		t.Error("gradcheck did not pass")
	}
	for _, want := range []string{"dL/dW1  = transpose(x) @", "tanh'", "# parameters -> gradients", "pass"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, f := range res.files {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// A different seed gives a different network, and still every claim holds.
func TestSeeds(t *testing.T) {
	for _, seed := range []uint64{2, 3, 4} {
		res, err := run(settings{lr: 0.01, seed: seed, out: t.TempDir(), quick: true}, &bytes.Buffer{})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if res.maxHandDiff > 1e-12 || !(res.lossAfter < res.lossBefore) || !res.gradcheckOK {
			t.Errorf("seed %d: %+v", seed, res)
		}
	}
}

func TestBadSettings(t *testing.T) {
	if _, err := run(settings{lr: 0, out: t.TempDir()}, &bytes.Buffer{}); err == nil {
		t.Error("lr 0: want an error")
	}
}
