package models_test

import (
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
)

// Every node of every zoo model's graph and of its gradient graph has an
// op kind (ops.Identify): the layers' own ops state theirs, and every
// Gorgonia op they build is classified.
func TestZooOpsClassify(t *testing.T) {
	for _, name := range models.Names() {
		t.Run(name, func(t *testing.T) {
			m, err := models.Build(name, models.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := G.Grad(m.Loss, m.Params...); err != nil {
				t.Fatal(err)
			}
			for _, n := range m.Graph.AllNodes() {
				if n.Op() != nil && ops.KindOf(n) == ops.KindUnknown {
					t.Errorf("%s: op %v (%T) has no kind", n.Name(), n.Op(), n.Op())
				}
			}
		})
	}
}
