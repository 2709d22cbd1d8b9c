package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/symgrad/symgrad/examples/internal/notebook/notebooktest"
)

func TestQuickRunLossFalls(t *testing.T) {
	losses, out := notebooktest.Quick(t, example)
	if first, last := losses[0], losses[len(losses)-1]; !(last < first/2) {
		t.Errorf("loss went from %.4f to %.4f; want it at least halved", first, last)
	}
	if !strings.Contains(out, "Epoch [10/10], Loss: ") {
		t.Errorf("output lacks the seed's epoch line:\n%s", out)
	}
}

// The seed's full run: 100 epoch lines, and the last loss below a tenth of
// the first.
func TestSeedRun(t *testing.T) {
	if testing.Short() {
		t.Skip("the full 100-epoch run is skipped in -short mode")
	}
	losses, out := notebooktest.Run(t, example, notebooktest.Settings(t, example))
	for k := 1; k <= 100; k++ {
		if !strings.Contains(out, fmt.Sprintf("Epoch [%d/100], Loss: ", k)) {
			t.Fatalf("no line for epoch %d", k)
		}
	}
	if first, last := losses[0], losses[99]; !(last < first/10) {
		t.Errorf("loss went from %.4f to %.4f; want below a tenth", first, last)
	}
}

func TestSameSeedSameLosses(t *testing.T) {
	s := notebooktest.Settings(t, example, "-epochs", "2", "-samples", "64", "-seed", "7")
	a, _ := notebooktest.Run(t, example, s)
	b, _ := notebooktest.Run(t, example, s)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("epoch %d: %v vs %v with the same seed", i+1, a[i], b[i])
		}
	}
}

func TestBadSettings(t *testing.T) {
	notebooktest.Fails(t, example, "-epochs", "1", "-samples", "10") // a batch of 32, larger than the data
}
