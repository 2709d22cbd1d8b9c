package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestQuickRunLossFalls(t *testing.T) {
	var out bytes.Buffer
	losses, err := run(settings{epochs: 10, samples: 256, batch: 32, lr: 0.01, seed: 1}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if first, last := losses[0], losses[len(losses)-1]; !(last < first/2) {
		t.Errorf("loss went from %.4f to %.4f; want it at least halved", first, last)
	}
	if !strings.Contains(out.String(), "Epoch [10/10], Loss: ") {
		t.Errorf("output lacks the seed's epoch line:\n%s", out.String())
	}
}

// The seed's full run: 100 epoch lines, and the last loss below a tenth of
// the first.
func TestSeedRun(t *testing.T) {
	if testing.Short() {
		t.Skip("the full 100-epoch run is skipped in -short mode")
	}
	var out bytes.Buffer
	losses, err := run(settings{epochs: 100, samples: 1024, batch: 32, lr: 0.01, seed: 1}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for k := 1; k <= 100; k++ {
		if !strings.Contains(out.String(), fmt.Sprintf("Epoch [%d/100], Loss: ", k)) {
			t.Fatalf("no line for epoch %d", k)
		}
	}
	if first, last := losses[0], losses[99]; !(last < first/10) {
		t.Errorf("loss went from %.4f to %.4f; want below a tenth", first, last)
	}
}

func TestSameSeedSameLosses(t *testing.T) {
	s := settings{epochs: 2, samples: 64, batch: 32, lr: 0.01, seed: 7}
	a, err := run(s, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := run(s, &bytes.Buffer{})
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("epoch %d: %v vs %v with the same seed", i+1, a[i], b[i])
		}
	}
}

func TestBadSettings(t *testing.T) {
	if _, err := run(settings{epochs: 1, samples: 10, batch: 32, lr: 0.01}, &bytes.Buffer{}); err == nil {
		t.Fatal("batch larger than the data: want an error")
	}
}
