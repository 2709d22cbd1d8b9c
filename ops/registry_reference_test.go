package ops_test

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/gradcheck"
	"github.com/symgrad/symgrad/ops"
)

// TestRegisteredReferences compares every fused op that records a
// reference version with it: value and gradients on the registry's
// example, in both dtypes (gradcheck.CheckReference).
func TestRegisteredReferences(t *testing.T) {
	n := 0
	for _, s := range ops.All() {
		if s.Reference == nil {
			continue
		}
		n++
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(s.Name+"/"+dt.String(), func(t *testing.T) {
				rows, err := gradcheck.CheckReference(s, gradcheck.Config{Dtype: dt, Seed: 7})
				if err != nil {
					t.Fatal(err)
				}
				if want := 1 + len(differentiable(s)); len(rows) != want {
					t.Fatalf("%d rows, want %d (the value and every gradient)", len(rows), want)
				}
				for _, r := range rows {
					if !r.Verdict.OK() || r.Checked == 0 {
						t.Errorf("%s: %s, %d of %d elements off, max abs err %g (%s)", r.Name, r.Verdict, r.Failed, r.Checked, float64(r.MaxAbsErr), r.Note)
					}
				}
			})
		}
	}
	for _, name := range []string{"fusedconv2d", "fusedmaxpool2d", "linear", "lstmgates"} {
		if s, ok := ops.Lookup(name); !ok || s.Reference == nil {
			t.Errorf("%s records no reference version", name)
		}
	}
	if n < 4 {
		t.Errorf("only %d ops record a reference", n)
	}
}

// TestReferenceCatchesADifference checks that the comparison can fail: an
// op given a reference that computes something else (tanh of linear's
// reference) gets failing rows for its value and every gradient.
func TestReferenceCatchesADifference(t *testing.T) {
	lin, _ := ops.Lookup("linear")
	wrong := *lin
	wrong.ReferenceOf = "tanh(x·Wᵀ + b)"
	wrong.Reference = func(n []*G.Node, p []float64) (*G.Node, error) {
		y, err := lin.Reference(n, p)
		if err != nil {
			return nil, err
		}
		return G.Tanh(y)
	}
	rows, err := gradcheck.CheckReference(&wrong, gradcheck.Config{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4", len(rows))
	}
	for _, r := range rows {
		if r.Verdict.OK() {
			t.Errorf("%s passed against a wrong reference", r.Name)
		}
	}
}

// differentiable lists the example inputs that get a gradient.
func differentiable(s *ops.Spec) []ops.Input {
	var out []ops.Input
	for _, in := range s.Example.Inputs {
		if in.Classes == 0 && !in.NoGrad {
			out = append(out, in)
		}
	}
	return out
}
