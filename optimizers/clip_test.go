package optimizers

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func TestClipGradValue(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		clip       float64
		a, b       []float64
		wantA, wnB []float64
	}{
		{1, []float64{3, -0.2, nan}, []float64{-5}, []float64{1, -0.2, nan}, []float64{-1}},
		{0, []float64{3, -0.2}, []float64{0}, []float64{0, 0}, []float64{0}},
		// clamp(min=1, max=-1): max wins, as in torch.clamp.
		{-1, []float64{3, -0.2}, []float64{-5}, []float64{-1, -1}, []float64{-1}},
	}
	for _, tc := range tests {
		for _, mk := range []func(...float64) *tensor.Dense{vec, vec32} {
			params := []Param{{Name: "a", Grad: mk(tc.a...)}, {Name: "nil"}, {Name: "b", Grad: mk(tc.b...)}}
			if err := ClipGradValue(params, tc.clip); err != nil {
				t.Fatal(err)
			}
			rel := 0.0
			if params[0].Grad.Dtype() == tensor.Float32 {
				rel = 1e-7 // -0.2 is not a float32
			}
			checkFloats(t, "a", floats64(params[0].Grad), tc.wantA, rel)
			checkFloats(t, "b", floats64(params[2].Grad), tc.wnB, rel)
		}
	}
}

// checkFloats compares got and want elementwise to rel (NaN equals NaN).
func checkFloats(t *testing.T, what string, got, want []float64, rel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
	for i := range got {
		if !(closeRel(got[i], want[i], rel) || math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Errorf("%s[%d]: got %.17g, want %.17g", what, i, got[i], want[i])
		}
	}
}

// TestClipGradNorm uses gradients a = (3, 4) and b = (12), whose 2-norms
// are 5 and 12 and global 2-norm 13.
func TestClipGradNorm(t *testing.T) {
	cbrt1819 := math.Cbrt(27 + 64 + 1728)
	tests := []struct {
		name             string
		maxNorm, norm    float64
		wantTotal, coeff float64
	}{
		{"l2 clipped", 6.5, 2, 13, 6.5 / (13 + 1e-6)},
		{"l2 under max", 100, 2, 13, 1},
		{"l2 at max", 13, 2, 13, 13 / (13 + 1e-6)},
		{"inf", 6, math.Inf(1), 12, 6 / (12 + 1e-6)},
		{"-inf", 1, math.Inf(-1), 3, 1 / (3 + 1e-6)},
		{"l1", 1.9, 1, 19, 1.9 / (19 + 1e-6)},
		{"l3", 1, 3, cbrt1819, 1 / (cbrt1819 + 1e-6)},
		{"l0 counts non-zero grads", 1, 0, 2, 1 / (2 + 1e-6)},
	}
	for _, tc := range tests {
		for _, mk := range []func(...float64) *tensor.Dense{vec, vec32} {
			params := []Param{{Name: "a", Grad: mk(3, 4)}, {Name: "none"}, {Name: "b", Grad: mk(12)}}
			total, err := ClipGradNorm(params, tc.maxNorm, tc.norm, true)
			if err != nil {
				t.Fatal(err)
			}
			if !closeRel(total, tc.wantTotal, 1e-14) {
				t.Errorf("%s: total %.17g, want %.17g", tc.name, total, tc.wantTotal)
			}
			rel := 1e-15
			if params[0].Grad.Dtype() == tensor.Float32 {
				rel = 1e-7
			}
			checkFloats(t, tc.name+" a", floats64(params[0].Grad), []float64{3 * tc.coeff, 4 * tc.coeff}, rel)
			checkFloats(t, tc.name+" b", floats64(params[2].Grad), []float64{12 * tc.coeff}, rel)
		}
	}
}

func TestClipGradNormNonfinite(t *testing.T) {
	params := []Param{{Name: "a", Grad: vec(3, math.NaN())}, {Name: "b", Grad: vec(1)}}
	total, err := ClipGradNorm(params, 1, 2, true)
	if err == nil || !strings.Contains(err.Error(), "non-finite") || !math.IsNaN(total) {
		t.Fatalf("got %v, %v; want NaN and a non-finite error", total, err)
	}
	if g := params[1].Grad.Float64s()[0]; g != 1 {
		t.Errorf("gradients changed on error: b = %v", g)
	}
	// Without the check, PyTorch scales by NaN.
	if _, err := ClipGradNorm(params, 1, 2, false); err != nil {
		t.Fatal(err)
	}
	if g := params[1].Grad.Float64s()[0]; !math.IsNaN(g) {
		t.Errorf("b = %v, want NaN", g)
	}
	params = []Param{{Name: "a", Grad: vec(math.Inf(-1), 1)}}
	if total, _ := ClipGradNorm(params, 1, math.Inf(1), false); !math.IsInf(total, 1) {
		t.Errorf("inf-norm of (-Inf, 1) = %v", total)
	}
}

func TestClipGradNormEdgeCases(t *testing.T) {
	if total, err := ClipGradNorm([]Param{{Name: "a"}}, 1, 2, true); total != 0 || err != nil {
		t.Errorf("no gradients: %v, %v; want 0, nil", total, err)
	}
	ints := tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))
	if _, err := ClipGradNorm([]Param{{Name: "a", Grad: ints}}, 1, 2, true); err == nil {
		t.Error("int gradient accepted")
	}
	if err := ClipGradValue([]Param{{Name: "a", Grad: ints}}, 1); err == nil {
		t.Error("int gradient accepted")
	}
	if _, err := ClipGradNorm(nil, 1, math.NaN(), true); err == nil {
		t.Error("NaN norm type accepted")
	}
	// Mixed dtypes: per-param norms are float64 either way.
	params := []Param{{Name: "a", Grad: vec32(3, 4)}, {Name: "b", Grad: vec(12)}}
	if total := GradNorm(params, 2); total != 13 {
		t.Errorf("GradNorm = %v, want 13", total)
	}
}
