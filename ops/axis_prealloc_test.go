package ops

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

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
