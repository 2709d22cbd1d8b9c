package compiler

import (
	"fmt"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/ops"
)

// rawMLP builds a multilayer perceptron the way the README quickstart
// writes one, in raw Gorgonia: each layer is
// G.BroadcastAdd(G.Mul(h, W'), b, nil, []byte{0}) with W' = transpose(W)
// for W [out, in] (PyTorch's layout, transposed) or W' = W for W [in, out]
// (plain), ReLU between layers, MSE against y [batch, dims[last]]. The
// weights are seeded, scaled by 1/√in.
func rawMLP(tb testing.TB, dims []int, batch int, dt tensor.Dtype, transposed bool, seed uint64) (loss *G.Node, params []*G.Node) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	g := G.NewGraph()
	h := G.Must(NewInput(g, "x", dt, batch, dims[0]))
	y := G.Must(NewInput(g, "y", dt, batch, dims[len(dims)-1]))
	for l := 1; l < len(dims); l++ {
		in, out := dims[l-1], dims[l]
		shape := []int{in, out}
		if transposed {
			shape = []int{out, in}
		}
		w := G.Must(NewParam(g, fmt.Sprintf("fc%d.weight", l), floatdense.Of(dt, shape, scaled(rng, in*out, 1/float64(in)))))
		b := G.Must(NewParam(g, fmt.Sprintf("fc%d.bias", l), floatdense.Of(dt, []int{out}, scaled(rng, out, 0.1))))
		wt := w
		if transposed {
			wt = G.Must(G.Transpose(w))
		}
		h = G.Must(G.BroadcastAdd(G.Must(G.Mul(h, wt)), b, nil, []byte{0}))
		if l < len(dims)-1 {
			h = G.Must(ops.ReLU(h))
		}
		params = append(params, w, b)
	}
	return G.Must(ops.MSE(h, y)), params
}

// scaled returns n seeded values uniform in (-s, s)·√3.
func scaled(rng *rand.Rand, n int, s float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = (2*rng.Float64() - 1) * s * 1.7320508
	}
	return v
}

// bindRaw binds seeded x and y to a program over rawMLP.
func bindRaw(tb testing.TB, p *Program, seed uint64) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 2))
	for _, in := range p.Inputs() {
		v := floatdense.Of(in.Dtype(), in.Shape(), scaled(rng, in.Shape().TotalSize(), 1))
		if err := p.Bind(in.Name(), v); err != nil {
			tb.Fatal(err)
		}
	}
}

// withoutFuse is DefaultRules less the fuse phase.
func withoutFuse() []*Rule {
	var out []*Rule
	for _, r := range DefaultRules() {
		if r.Phase != Fuse {
			out = append(out, r)
		}
	}
	return out
}

// BenchmarkFuse times one training step (RunTrain and an SGD update) of
// the raw-Gorgonia MLPs of rawMLP, 100->50->1 (batch 64) and
// 784->256->128->10 (batch 128), in both weight layouts, compiled with no
// passes, with every phase but fuse, and with every phase; it reports the
// program's node counts. For docs/performance.md.
func BenchmarkFuse(b *testing.B) {
	nets := []struct {
		name  string
		dims  []int
		batch int
	}{{"100-50-1", []int{100, 50, 1}, 64}, {"784-256-128-10", []int{784, 256, 128, 10}, 128}}
	configs := []struct {
		name string
		opts []Option
	}{{"off", []Option{WithPasses(false)}}, {"nofuse", []Option{WithRules(withoutFuse()...)}}, {"fuse", nil}}
	for _, net := range nets {
		for _, layout := range []string{"xWt", "xW"} {
			for _, cfg := range configs {
				b.Run("net="+net.name+"/layout="+layout+"/passes="+cfg.name, func(b *testing.B) {
					loss, params := rawMLP(b, net.dims, net.batch, tensor.Float64, layout == "xWt", 1)
					p, err := Compile(loss, params, cfg.opts...)
					if err != nil {
						b.Fatal(err)
					}
					defer p.Close()
					bindRaw(b, p, 2)
					BenchSGDSteps(b, p, 1e-4)
				})
			}
		}
	}
}

// BenchSGDSteps times b.N training steps of p, each RunTrain and a plain
// SGD update at rate lr of its float64 params, and reports p's node
// counts (fwd-nodes, grad-nodes). Exported for the external benchmarks of
// pass_bench_test.go.
func BenchSGDSteps(b *testing.B, p *Program, lr float64) {
	st := p.Stats()
	params := p.Params()
	b.ResetTimer()
	for range b.N {
		if err := p.RunTrain(); err != nil {
			b.Fatal(err)
		}
		for _, prm := range params {
			w, g := prm.Value.Data().([]float64), prm.Grad.Data().([]float64)
			for i := range w {
				w[i] -= lr * g[i]
			}
		}
	}
	b.ReportMetric(float64(st.ForwardNodes), "fwd-nodes")
	b.ReportMetric(float64(st.GradientNodes), "grad-nodes")
}
