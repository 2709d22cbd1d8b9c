package ops_test

import (
	"testing"

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
func TestRegisteredOpsGradients(t *testing.T) {
	for i, s := range ops.All() {
		t.Run(s.Name, func(t *testing.T) {
			if s.NotDifferentiable {
				t.Skip("not differentiable: its forward values are checked by its own tests")
			}
			c := drawCase(s.Example.Inputs, uint64(100+i))
			if err := checkGradient(c, specBuilder(s), freezeMasks); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestRegisteredOpsFloat32 runs each registered op's example in float32
// and compares loss and gradients with the float64 twin.
func TestRegisteredOpsFloat32(t *testing.T) {
	for i, s := range ops.All() {
		t.Run(s.Name, func(t *testing.T) {
			if s.NotDifferentiable {
				t.Skip("not differentiable: its forward values are checked by its own tests")
			}
			c := drawCase(s.Example.Inputs, uint64(200+i))
			if err := checkFloat32(c, specBuilder(s), freezeMasks); err != nil {
				t.Error(err)
			}
		})
	}
}
