package expr

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
)

// FuzzBuild parses and builds fuzzed expressions over x [3], W [3, 2],
// b [2], s [1] and the int64 class indices c [3]: Build must never panic,
// and a built value belongs to the graph, with a shape Format prints.
func FuzzBuild(f *testing.F) {
	for _, s := range []string{"sum(tanh(x @ W + b))", "x*x + s", "crossentropy(W, c)", "softmax(x, 0)",
		"sum(" + strings.Repeat("x+", 20) + "x)", "x @ x", "W @ W", "-x^-1", "log(x, 2, 3)", "sum(x, 5)", "conv2d(W, W)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 300 {
			return
		}
		e, err := Parse(src)
		if err != nil {
			return
		}
		g := G.NewGraph()
		vars := map[string]*G.Node{}
		for name, shape := range map[string][]int{"x": {3}, "W": {3, 2}, "b": {2}, "s": {1}} {
			n := 1
			for _, d := range shape {
				n *= d
			}
			vals := make([]float64, n)
			for i := range vals {
				vals[i] = 0.25 * float64(i+1)
			}
			p, err := compiler.NewParam(g, name, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals)))
			if err != nil {
				t.Fatal(err)
			}
			vars[name] = p
		}
		c, err := compiler.NewInput(g, "c", tensor.Int64, 3)
		if err != nil {
			t.Fatal(err)
		}
		vars["c"] = c
		out, err := Build(g, e, vars)
		if err != nil {
			return
		}
		if out == nil || out.Graph() != g {
			t.Fatalf("Build(%q) returned a node outside the graph", src)
		}
		_ = Format(out)
	})
}
