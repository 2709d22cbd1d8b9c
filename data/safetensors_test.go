package data_test

import (
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/safetensors"
)

// LoadSafetensors reads a dataset PyTorch wrote with save_file: uint8
// images become float64, int64 (or uint8) label vectors class indices,
// float targets X's dtype; a missing tensor is an error naming it.
func TestLoadSafetensors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tiny.safetensors")
	tensors := map[string]*tensor.Dense{
		"images": tensor.New(tensor.WithShape(3, 1, 2, 2), tensor.WithBacking([]uint8{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255})),
		"labels": tensor.New(tensor.WithShape(3), tensor.WithBacking([]int64{2, 0, 1})),
		"small":  tensor.New(tensor.WithShape(3), tensor.WithBacking([]uint8{1, 1, 0})),
		"x32":    tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6})),
		"t":      tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0.5, -1, 2})),
		"bad":    tensor.New(tensor.WithShape(3), tensor.WithBacking([]int64{0, -1, 1})),
	}
	if err := safetensors.Write(path, tensors, map[string]string{"classes": "a,b,c"}); err != nil {
		t.Fatal(err)
	}
	d, err := data.LoadSafetensors(path, "images", "labels")
	if err != nil {
		t.Fatal(err)
	}
	if d.X.Dtype() != tensor.Float64 || !d.X.Shape().Eq(tensor.Shape{3, 1, 2, 2}) || d.X.Data().([]float64)[11] != 255 {
		t.Errorf("X %v %v", d.X.Dtype(), d.X.Shape())
	}
	if got := d.Y.Data().([]int64); d.Y.Dtype() != tensor.Int64 || got[0] != 2 || len(d.ClassNames) != 3 || d.Name != "tiny.safetensors" {
		t.Errorf("Y %v %v, classes %v, name %q", d.Y.Dtype(), got, d.ClassNames, d.Name)
	}
	if d, err := data.LoadSafetensors(path, "images", "small"); err != nil || d.Y.Dtype() != tensor.Int64 {
		t.Errorf("uint8 labels: %v", err)
	}
	d, err = data.LoadSafetensors(path, "x32", "t")
	if err != nil {
		t.Fatal(err)
	}
	if d.X.Dtype() != tensor.Float32 || d.Y.Dtype() != tensor.Float32 || !d.Y.Shape().Eq(tensor.Shape{3, 1}) {
		t.Errorf("float targets: X %v, Y %v %v", d.X.Dtype(), d.Y.Dtype(), d.Y.Shape())
	}
	for _, c := range []struct{ x, y, want string }{
		{"nosuch", "labels", `"nosuch"`},
		{"images", "nosuch", `"nosuch"`},
		{"images", "bad", "negative class index"},
	} {
		if _, err := data.LoadSafetensors(path, c.x, c.y); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LoadSafetensors(%q, %q): error %v, want one containing %s", c.x, c.y, err, c.want)
		}
	}
	if _, err := data.LoadSafetensors(filepath.Join(dir, "missing"), "x", "y"); err == nil {
		t.Error("a missing file loaded")
	}
}
