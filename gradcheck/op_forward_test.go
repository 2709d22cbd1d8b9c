package gradcheck

import (
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// TestCheckOpNotDifferentiable checks that an op the registry declares not
// differentiable (argmax) is checked by its forward pass alone, in both
// dtypes and at order 2, and passes with one forward row.
func TestCheckOpNotDifferentiable(t *testing.T) {
	spec, ok := ops.Lookup("argmax")
	if !ok || !spec.NotDifferentiable {
		t.Fatal("argmax is not registered as not differentiable")
	}
	for _, cfg := range []Config{{}, {Order: 2}, {Dtype: tensor.Float32}} {
		c, err := cfg.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		r, err := CheckOp(spec, c)
		if err != nil {
			t.Fatal(err)
		}
		if r.Verdict != Pass || len(r.Results) != 1 || r.Results[0].Row != RowForward || r.Results[0].Checked != 3 {
			t.Fatalf("%+v: verdict %s, rows %+v (error %q)", cfg, r.Verdict, r.Results, r.Error)
		}
	}
}
