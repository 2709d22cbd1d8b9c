package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/symgrad/symgrad/examples/internal/notebook/notebooktest"
)

// The example's claims: the chain rule by hand gives the program's
// gradients, one SGD step lowers the loss, and gradcheck passes.
func TestQuickRun(t *testing.T) {
	res, out := notebooktest.Quick(t, example)
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
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	notebooktest.CheckFiles(t, res.files, "program.txt", "program.dot", "sgd_step.png")
}

// A different seed gives a different network, and still every claim holds.
func TestSeeds(t *testing.T) {
	for _, seed := range []uint64{2, 3, 4} {
		res, _ := notebooktest.Quick(t, example, "-lr", "0.01", "-seed", fmt.Sprint(seed))
		if res.maxHandDiff > 1e-12 || !(res.lossAfter < res.lossBefore) || !res.gradcheckOK {
			t.Errorf("seed %d: %+v", seed, res)
		}
	}
}

func TestBadSettings(t *testing.T) {
	notebooktest.Fails(t, example, "-lr", "0")
}
