package ops_test

import (
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"
)

// TestRegisteredOpsHaveEveryField guards the registry: every op has a
// name, family, formulas, notes, builder, example and dtypes.
func TestRegisteredOpsHaveEveryField(t *testing.T) {
	all := ops.All()
	if len(all) < 40 {
		t.Fatalf("only %d ops registered", len(all))
	}
	for _, s := range all {
		if err := s.Validate(); err != nil {
			t.Error(err)
		}
		if s.Notes == "" {
			t.Errorf("%s: no notes", s.Name)
		}
		if len(s.Dtypes) != 2 {
			t.Errorf("%s: dtypes %v, want float64 and float32", s.Name, s.Dtypes)
		}
	}
}

// TestRegisteredOpsGradients checks each registered op's example against
// central differences in float64.
func TestRegisteredOpsGradients(t *testing.T) { checkRegistered(t, 100, checkGradient) }

// TestRegisteredOpsFloat32 runs each registered op's example in float32
// and compares loss and gradients with the float64 twin.
func TestRegisteredOpsFloat32(t *testing.T) { checkRegistered(t, 200, checkFloat32) }

// checkRegistered runs check on each differentiable registered op's
// example, drawn with seed base + its index, masks frozen.
func checkRegistered(t *testing.T, base uint64, check func(caseData, builder, func(*G.ExprGraph)) error) {
	for i, s := range ops.All() {
		t.Run(s.Name, func(t *testing.T) {
			if s.NotDifferentiable {
				t.Skip("not differentiable: its forward values are checked by its own tests")
			}
			c := drawCase(s.Example.Inputs, base+uint64(i))
			if err := check(c, specBuilder(s), freezeMasks); err != nil {
				t.Error(err)
			}
		})
	}
}
