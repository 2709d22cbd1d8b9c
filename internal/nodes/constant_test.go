package nodes

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestConstant(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("x"))
	for _, c := range []struct {
		name  string
		v     any
		dtype tensor.Dtype
		err   string
	}{
		{"float64", 1.5, tensor.Float64, ""},
		{"float32", float32(2), tensor.Float32, ""},
		{"dense", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2})), tensor.Float64, ""},
		{"0-d dense", tensor.New(tensor.FromScalar(1.0)), tensor.Float64, "0-d"},
		{"int", 3, tensor.Int, "unsupported value of type int"},
		{"nil", nil, tensor.Float64, "nil value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, err := Constant(g, c.v)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want an error containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n.Dtype() != c.dtype || !IsConstant(n) || !IsLeaf(n) || !strings.HasPrefix(n.Name(), ConstPrefix) {
				t.Errorf("%v: dtype %v, constant %v, leaf %v", n.Name(), n.Dtype(), IsConstant(n), IsLeaf(n))
			}
		})
	}
	if _, err := Constant(nil, 1.0); err == nil {
		t.Error("a nil graph was accepted")
	}
	a, _ := Constant(g, 1.0)
	b, _ := Constant(g, 1.0)
	if a == b {
		t.Error("two constants of one value merged")
	}
	if IsConstant(x) || !IsLeaf(x) {
		t.Errorf("input x: constant %v, leaf %v", IsConstant(x), IsLeaf(x))
	}
	if s := G.Must(G.Add(x, x)); IsConstant(s) || IsLeaf(s) {
		t.Error("x + x is a constant or a leaf")
	}
	if gc := G.NewConstant(2.0); !IsConstant(gc) || !IsLeaf(gc) {
		t.Error("Gorgonia's constant is not a constant leaf")
	}
}
