package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestConcatMatchesGorgonia checks Concat's Do and UsePreallocDo (into a
// NaN-filled buffer) against Gorgonia's Concat bit for bit, and that its
// gradient pieces (copying slices) give back the inputs and their pads
// (the slices' gradients) put them back in place with zeros elsewhere.
func TestConcatMatchesGorgonia(t *testing.T) {
	shapes := [][]int{{2, 1, 3}, {2, 2, 3}, {2, 4, 3}}
	for axis := range 3 {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			rng := rand.New(rand.NewPCG(uint64(axis), 1))
			g := G.NewGraph()
			var nodes []*G.Node
			var vals []G.Value
			for i, s := range shapes {
				s = append([]int(nil), s...)
				s[axis], s[1] = s[1], s[axis] // piece i differs on axis only
				if axis != 1 {
					s[1] = 2
				}
				s[axis] = i + 1
				xs := make([]float64, tensor.Shape(s).TotalSize())
				for k := range xs {
					xs[k] = rng.NormFloat64()
				}
				v := denseFrom(xs, dt)
				if err := v.Reshape(s...); err != nil {
					t.Fatal(err)
				}
				nodes = append(nodes, G.NewTensor(g, dt, 3, G.WithShape(s...), G.WithName(string(rune('a'+i)))))
				vals = append(vals, v)
			}
			ours, err := Concat(axis, nodes...)
			if err != nil {
				t.Fatal(err)
			}
			theirs := G.Must(G.Concat(axis, nodes...))
			want, err := theirs.Op().Do(vals...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ours.Op().Do(vals...)
			if err != nil {
				t.Fatal(err)
			}
			buf := tensor.New(tensor.Of(dt), tensor.WithShape(ours.Shape()...))
			fillNaN(buf)
			pre, err := ours.Op().(G.UsePreallocDoer).UsePreallocDo(buf, vals...)
			if err != nil || pre != G.Value(buf) {
				t.Fatalf("UsePreallocDo: %v (wrote into its buffer: %v)", err, pre == G.Value(buf))
			}
			assertSameBits(t, "concat Do", want, got)
			assertSameBits(t, "concat UsePreallocDo", want, pre)
			pieces, err := ours.Op().(G.SDOp).SymDiff(G.Nodes(nodes), ours, ours)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range pieces {
				piece, err := p.Op().Do(want)
				if err != nil {
					t.Fatal(err)
				}
				assertSameBits(t, "slice", vals[i], piece)
				back, err := p.Op().(G.SDOp).SymDiff(G.Nodes{ours}, p, p)
				if err != nil {
					t.Fatal(err)
				}
				padded, err := back[0].Op().Do(piece)
				if err != nil {
					t.Fatal(err)
				}
				padOf, err := float64sOf(padded)
				if err != nil {
					t.Fatal(err)
				}
				full, _ := float64sOf(want)
				in, _ := float64sOf(vals[i])
				kept := 0
				for k, v := range padOf {
					if v != 0 {
						if v != full[k] {
							t.Fatalf("pad %d: element %d is %v, the concat's is %v", i, k, v, full[k])
						}
						kept++
					}
				}
				if kept != len(in) {
					t.Errorf("pad %d kept %d nonzero values, want %d", i, kept, len(in))
				}
			}
		}
	}
}

func fillNaN(d *tensor.Dense) {
	switch s := d.Data().(type) {
	case []float64:
		for i := range s {
			s[i] = math.NaN()
		}
	case []float32:
		for i := range s {
			s[i] = float32(math.NaN())
		}
	}
}

func assertSameBits(t *testing.T, what string, want, got G.Value) {
	t.Helper()
	if !equalDims(want.Shape(), got.Shape()) || want.Dtype() != got.Dtype() {
		t.Fatalf("%s: %v %v, want %v %v", what, got.Dtype(), got.Shape(), want.Dtype(), want.Shape())
	}
	w, g := float64sOrDie(t, want), float64sOrDie(t, got)
	for i := range w {
		if math.Float64bits(w[i]) != math.Float64bits(g[i]) {
			t.Fatalf("%s: element %d is %v, want %v", what, i, g[i], w[i])
		}
	}
}
