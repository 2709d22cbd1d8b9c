package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The preallocated paths (UsePreallocDo, as the planned executor runs
// them) against the ops' own Do, bit for bit.

// TestMapIntoMatchesDo checks the inlined ReLU and step kernels of
// UsePreallocDo against the op's own f (Do's path) bit for bit, on the
// special values where a hand-written loop could differ.
func TestMapIntoMatchesDo(t *testing.T) {
	xs := []float64{-2, -1e-300, math.Copysign(0, -1), 0, 1e-300, 3, math.Inf(1), math.Inf(-1), math.NaN()}
	for _, op := range []*elemOp{
		{name: "relu", f: func(x float64) float64 { return math.Max(x, 0) }},
		stepOp(0),
		stepOp(0.1), // not inlined: the generic path
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			x := denseFrom(xs, dt)
			want, err := op.Do(x)
			if err != nil {
				t.Fatal(err)
			}
			buf := tensor.New(tensor.Of(dt), tensor.WithShape(len(xs)))
			got, err := op.UsePreallocDo(buf, x)
			if err != nil {
				t.Fatal(err)
			}
			if got != G.Value(buf) {
				t.Fatalf("%s: UsePreallocDo did not return its buffer", op.name)
			}
			w, g := float64sOrDie(t, want), float64sOrDie(t, got)
			for i := range w {
				if math.Float64bits(w[i]) != math.Float64bits(g[i]) {
					t.Errorf("%s %v (%v): prealloc %v, Do %v", op.name, dt, xs[i], g[i], w[i])
				}
			}
		}
	}
}

// TestAxisOpsPreallocMatchDo checks the preallocated paths of expand,
// logsumexp and swapaxes against their Do, bit for bit (into a buffer of
// NaN), and that they allocate nothing.
func TestAxisOpsPreallocMatchDo(t *testing.T) {
	cases := []struct {
		name  string
		shape []int
		build func(x *G.Node) (*G.Node, error)
	}{
		{"expand axis 0", []int{3}, func(x *G.Node) (*G.Node, error) { return expand(x, 0, tensor.Shape{4, 3}) }},
		{"expand axis 1", []int{4}, func(x *G.Node) (*G.Node, error) { return expand(x, 1, tensor.Shape{4, 3}) }},
		{"expand inner axis", []int{2, 3}, func(x *G.Node) (*G.Node, error) { return expand(x, 1, tensor.Shape{2, 5, 3}) }},
		{"logsumexp last", []int{3, 5}, func(x *G.Node) (*G.Node, error) { return LogSumExp(x, -1) }},
		{"logsumexp inner", []int{2, 4, 3}, func(x *G.Node) (*G.Node, error) { return LogSumExp(x, 1) }},
		{"swapaxes", []int{2, 3, 4}, func(x *G.Node) (*G.Node, error) { return SwapAxes(x, 0, 2) }},
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, c := range cases {
			g := G.NewGraph()
			xn := G.NewTensor(g, dt, len(c.shape), G.WithShape(c.shape...), G.WithName("x"))
			out, err := c.build(xn)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			x := tensor.New(tensor.Of(dt), tensor.WithShape(c.shape...))
			for i := range x.DataSize() {
				if dt == tensor.Float64 {
					x.Float64s()[i] = 6*rng.Float64() - 3
				} else {
					x.Float32s()[i] = float32(6*rng.Float64() - 3)
				}
			}
			want, err := out.Op().Do(x)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			pd, ok := out.Op().(G.UsePreallocDoer)
			if !ok {
				t.Fatalf("%s: op %v has no preallocated path", c.name, out.Op())
			}
			buf := tensor.New(tensor.Of(dt), tensor.WithShape(out.Shape()...))
			fillNaN(buf)
			got, err := pd.UsePreallocDo(buf, x)
			if err != nil || got != G.Value(buf) {
				t.Fatalf("%s %v: UsePreallocDo: %v (wrote into its buffer: %v)", c.name, dt, err, got == G.Value(buf))
			}
			assertSameBits(t, c.name+" "+dt.String(), want, got)
			args := []G.Value{x} // built once, as the planned executor does
			if n := testing.AllocsPerRun(10, func() { _, _ = pd.UsePreallocDo(buf, args...) }); n != 0 {
				t.Errorf("%s %v: UsePreallocDo allocates %v times, want 0", c.name, dt, n)
			}
		}
	}
}

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

func denseFrom(xs []float64, dt tensor.Dtype) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(xs))
		for i, x := range xs {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(len(xs)), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(len(xs)), tensor.WithBacking(append([]float64(nil), xs...)))
}

func float64sOrDie(t *testing.T, v G.Value) []float64 {
	t.Helper()
	f, err := float64sOf(v)
	if err != nil {
		t.Fatal(err)
	}
	return f
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
