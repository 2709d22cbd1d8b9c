package models

import (
	"testing"
)

// TestZooGradients checks every zoo model's gradients numerically, in
// float64: all elements of small tensors, a seeded sample of big ones.
func TestZooGradients(t *testing.T) {
	for i, name := range Names() {
		t.Run(name, func(t *testing.T) {
			m, err := Build(name, Config{Batch: 3, Seed: uint64(100 + i)})
			if err != nil {
				t.Fatal(err)
			}
			p := compileWithBatch(t, m, uint64(200+i))
			per := 12
			if m.ParamCount() <= 6000 { // simplenet, binary: every element
				per = m.ParamCount()
			}
			numericCheck(t, p, per, uint64(i), 1)
		})
	}
}
