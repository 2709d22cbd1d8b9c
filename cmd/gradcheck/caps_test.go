package main

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symgrad/symgrad/safetensors"
)

// rawTensor is one tensor of a hand-written safetensors file: shapes the
// tensor package cannot build (zero-size axes of 1e8) are written as bytes.
type rawTensor struct {
	name  string
	dtype string
	shape []int
	vals  []float64 // F64 values (or int64 values for I64)
}

// writeRaw writes a safetensors file of ts to dir/name and returns its path.
func writeRaw(t *testing.T, dir, name string, ts ...rawTensor) string {
	t.Helper()
	head := map[string]any{}
	var body []byte
	for _, r := range ts {
		begin := len(body)
		for _, v := range r.vals {
			var b [8]byte
			if r.dtype == "I64" {
				binary.LittleEndian.PutUint64(b[:], uint64(int64(v)))
			} else {
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			}
			body = append(body, b[:]...)
		}
		shape := r.shape
		if shape == nil {
			shape = []int{}
		}
		head[r.name] = map[string]any{"dtype": r.dtype, "shape": shape, "data_offsets": []int{begin, len(body)}}
	}
	js, err := json.Marshal(head)
	if err != nil {
		t.Fatal(err)
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(js)))
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, append(append(n[:], js...), body...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func fill(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestHostileSizesAndValuesExit2 runs the hostile sizes, shapes and values
// of issue 19: each must exit 2 within a second, naming the variable or
// tensor at fault, before anything of that size is allocated.
func TestHostileSizesAndValuesExit2(t *testing.T) {
	dir := t.TempDir()
	x4 := fill(4, 0.5)
	x4[2] = math.NaN()
	inf := fill(100, 0.1)
	inf[7] = math.Inf(1)
	w := writeRaw(t, dir, "w.st",
		rawTensor{"fc1.weight", "F64", []int{50, 100}, fill(5000, 0.01)}, rawTensor{"fc1.bias", "F64", []int{50}, fill(50, 0)},
		rawTensor{"fc2.weight", "F64", []int{1, 50}, append(fill(49, 0.1), math.NaN())}, rawTensor{"fc2.bias", "F64", []int{1}, fill(1, 0)})
	cases := []struct {
		name string
		args []string
		want []string // in stderr
	}{
		{"80 GB --var", []string{"expr", "sum(x)", "--var", "x=100000x100000"}, []string{"--var x", "10000000000 elements", "--max-elements"}},
		{"overflowing --var", []string{"expr", "sum(x)", "--var", "x=4611686018427387904x4"}, []string{"--var x", "more elements than an int holds"}},
		{"--max-elements lowered", []string{"expr", "sum(x)", "--var", "x=4x3", "--max-elements", "11"}, []string{"--var x", "12 elements"}},
		{"--max-elements 0", []string{"expr", "sum(x)", "--var", "x=4x3", "--max-elements", "0"}, []string{"--max-elements 0"}},
		{"zero-element --input", []string{"expr", "sum(x*x)", "--input", writeRaw(t, dir, "zero.st", rawTensor{"x", "F64", []int{0}, nil})},
			[]string{"tensor \"x\"", "[0]", "no elements"}},
		{"NaN in --input", []string{"expr", "sum(x*x)", "--input", writeRaw(t, dir, "nan.st", rawTensor{"x", "F64", []int{4}, x4})},
			[]string{"tensor \"x\"", "NaN", "flat index 2"}},
		{"NaN 0-d --input", []string{"expr", "sum(x*x)", "--input", writeRaw(t, dir, "nan0.st", rawTensor{"x", "F64", nil, []float64{math.NaN()}})},
			[]string{"tensor \"x\"", "NaN"}},
		{"NaN in --weights", []string{"model", "simplenet", "--weights", w}, []string{"--weights", "fc2.weight", "NaN", "flat index 49"}},
		{"--batch x [1e8, 0]", []string{"model", "simplenet", "--batch", writeRaw(t, dir, "b0.st",
			rawTensor{"x", "F64", []int{100000000, 0}, nil}, rawTensor{"y", "F64", []int{100000000, 0}, nil})},
			[]string{"b0.st", "x has shape (100000000, 0)", "(100000000, 100)"}},
		{"--batch y of another batch", []string{"model", "simplenet", "--batch", writeRaw(t, dir, "by.st",
			rawTensor{"x", "F64", []int{1, 100}, fill(100, 1)}, rawTensor{"y", "F64", []int{100000000, 0}, nil})},
			[]string{"by.st", "y has shape (100000000, 0)", "(1, 1)"}},
		{"--batch over --max-elements", []string{"model", "simplenet", "--max-elements", "150", "--batch", writeRaw(t, dir, "big.st",
			rawTensor{"x", "F64", []int{2, 100}, fill(200, 1)}, rawTensor{"y", "F64", []int{2, 1}, fill(2, 1)})},
			[]string{"big.st", "tensor \"x\"", "200 elements"}},
		{"Inf in --batch", []string{"model", "simplenet", "--batch", writeRaw(t, dir, "binf.st",
			rawTensor{"x", "F64", []int{1, 100}, inf}, rawTensor{"y", "F64", []int{1, 1}, fill(1, 1)})},
			[]string{"binf.st", "tensor \"x\"", "+Inf", "flat index 7"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			code, _, errOut := runArgs(c.args...)
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v, want under a second", d)
			}
			if code != 2 {
				t.Fatalf("exit %d, want 2\n%s", code, errOut)
			}
			if strings.Contains(errOut, "panic") || strings.Contains(errOut, "runtime error") {
				t.Errorf("stderr shows a panic:\n%s", errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func TestShapeSize(t *testing.T) {
	cases := []struct {
		shape []int
		n     int
		ok    bool
	}{
		{nil, 1, true}, {[]int{3, 4}, 12, true}, {[]int{0, 5}, 0, true},
		{[]int{1 << 62, 4}, 0, false}, {[]int{-1, 2}, 0, false},
		{[]int{math.MaxInt, 1}, math.MaxInt, true}, {[]int{math.MaxInt, 2}, 0, false},
		{[]int{1 << 31, 1 << 31, 2}, 0, false},
	}
	for _, c := range cases {
		n, err := shapeSize(c.shape)
		if (err == nil) != c.ok || n != c.n {
			t.Errorf("shapeSize(%v) = %d, %v; want %d, ok %v", c.shape, n, err, c.n, c.ok)
		}
	}
}

// The refusals leave good files alone: a finite batch of the right shape
// still runs (guards against a check that refuses everything).
func TestGoodBatchStillRuns(t *testing.T) {
	dir := t.TempDir()
	b := writeRaw(t, dir, "b.st", rawTensor{"x", "F64", []int{2, 100}, fill(200, 0.1)}, rawTensor{"y", "F64", []int{2, 1}, fill(2, 1)})
	if code, out, errOut := runArgs("model", "simplenet", "--batch", b, "--mode", "fast"); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if _, err := safetensors.Read(b); err != nil {
		t.Fatal(err)
	}
}

// TestExprFastModeBySize: expr picks fast mode above fastAbove
// differentiated elements, as model does, unless --mode is given.
func TestExprFastModeBySize(t *testing.T) {
	cases := []struct {
		args []string
		mode string
	}{
		{[]string{"expr", "sum(x*x)", "--var", "x=150x150"}, "fast"},
		{[]string{"expr", "sum(x*y)", "--var", "x=100x101", "--var", "y=100x101"}, "fast"},
		{[]string{"expr", "sum(x*x)", "--var", "x=10x10"}, "full"},
		{[]string{"expr", "sum(x*x)", "--var", "x=20x20", "--mode", "fast"}, "fast"},
	}
	for _, c := range cases {
		code, out, errOut := runArgs(append(c.args, "--format", "json")...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", c.args, code, errOut)
		}
		var reports []struct {
			Mode string `json:"mode"`
		}
		if err := json.Unmarshal([]byte(out), &reports); err != nil || len(reports) != 1 {
			t.Fatalf("%v: %v\n%s", c.args, err, out)
		}
		if reports[0].Mode != c.mode {
			t.Errorf("%v: mode %s, want %s", c.args, reports[0].Mode, c.mode)
		}
	}
}
