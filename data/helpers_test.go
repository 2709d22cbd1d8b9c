package data

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// readGolden decodes testdata/golden/name into v.
func readGolden(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// assertClose fails unless got and want have equal lengths and values within
// tol (absolute, or relative to |want| when that is larger than 1).
func assertClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*max(1, math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %v, want %v (tol %g)", what, i, got[i], want[i], tol)
		}
	}
}

// assertErrContains fails unless err is non-nil and contains every part.
func assertErrContains(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not contain %q", err, p)
		}
	}
}

// mustDataset builds a float64 dataset X [n, rest...] = 0,1,2,... with int64
// labels i % classes, or float targets [n,1] = i when classes is 0.
func mustDataset(t testing.TB, n, classes int, rest ...int) *Dataset {
	t.Helper()
	shape := append([]int{n}, rest...)
	size := tensor.Shape(shape).TotalSize()
	x := make([]float64, size)
	for i := range x {
		x[i] = float64(i)
	}
	var y *tensor.Dense
	if classes > 0 {
		lab := make([]int64, n)
		for i := range lab {
			lab[i] = int64(i % classes)
		}
		y = denseI64(lab)
	} else {
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(i)
		}
		y = denseF64(v, n, 1)
	}
	d, err := New("test", denseF64(x, shape...), y)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sampleOf returns the values of sample i of X, as float64.
func sampleOf(d *Dataset, i int) []float64 {
	vals := float64sOf(d.X)
	per := len(vals) / d.Len()
	return vals[i*per : (i+1)*per]
}
