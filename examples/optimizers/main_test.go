package main

import (
	"testing"

	"github.com/symgrad/symgrad/examples/internal/notebook/notebooktest"
)

// The example's claim: on the shared network problem Adam ends below SGD
// (at the learning rates used, PyTorch's default 1e-3 for Adam and 0.01
// for SGD); on the 2-D functions every rule makes progress from the start.
func TestQuickRun(t *testing.T) {
	res, _ := notebooktest.Quick(t, example)
	if adam, sgd := res.final["Adam"], res.final["SGD"]; !(adam < sgd) {
		t.Errorf("final loss: Adam %g, SGD %g; want Adam below SGD", adam, sgd)
	}
	for _, f := range testFunctions {
		start := f.eval(f.start[0], f.start[1])
		for _, r := range rules {
			if end := res.end[f.name][r.name]; !(end < start/2) {
				t.Errorf("%s on %s: f went from %g to %g; want at least halved", r.name, f.name, start, end)
			}
		}
	}
	notebooktest.CheckFiles(t, res.files, "network_loss.png", "rosenbrock.png", "beale.png")
}

func TestBadSettings(t *testing.T) {
	notebooktest.Fails(t, example, "-epochs", "0", "-samples", "512", "-steps", "10")
}
