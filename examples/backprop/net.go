package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/compiler/expr"
	"github.com/symgrad/symgrad/examples/internal/notebook"
)

// The network's sizes: a batch of 4 samples of 2 features, 3 hidden units,
// 1 output.
const batch, inputs, hidden = 4, 2, 3

// net is the compiled network with handles on its intermediate nodes.
type net struct {
	prog        *compiler.Program
	params      []*G.Node // W1, b1, W2, b2
	x, y        *tensor.Dense
	loss        *G.Node
	z1, h, yhat *G.Node // outputs 0, 1, 2 of the program
	names       []string
	lossBefore  float64
	// The point before the SGD step, its gradient and ‖∇L‖², for the plot.
	theta0, grad0 []*tensor.Dense
	gradSq        float64
}

// newNet builds the forward graph from formulas in the expression language,
// one line per layer, and compiles it: Compile differentiates the loss
// symbolically (G.Grad) and keeps the gradient subgraph beside the forward
// graph.
func newNet(seed uint64) (*net, error) {
	rng := rand.New(rand.NewPCG(seed, 0xbac4))
	g := G.NewGraph()
	n := &net{names: []string{"W1", "b1", "W2", "b2"}}
	// The data: x ~ U(-1, 1) and the target y = x₀·x₁ (an XOR-like product
	// that a hidden layer is needed for).
	xs, ys := make([]float64, batch*inputs), make([]float64, batch)
	for i := range xs {
		xs[i] = 2*rng.Float64() - 1
	}
	for i := range ys {
		ys[i] = xs[2*i] * xs[2*i+1]
	}
	n.x = tensor.New(tensor.WithShape(batch, inputs), tensor.WithBacking(xs))
	n.y = tensor.New(tensor.WithShape(batch, 1), tensor.WithBacking(ys))
	vars := map[string]*G.Node{}
	var err error
	if vars["x"], err = compiler.NewInput(g, "x", tensor.Float64, batch, inputs); err != nil {
		return nil, err
	}
	if vars["y"], err = compiler.NewInput(g, "y", tensor.Float64, batch, 1); err != nil {
		return nil, err
	}
	// The weights: U(-1, 1), small enough for tanh to be far from flat.
	shapes := [][]int{{inputs, hidden}, {hidden}, {hidden, 1}, {1}}
	for i, name := range n.names {
		t := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(shapes[i]...))
		vals := t.Data().([]float64)
		for j := range vals {
			vals[j] = 2*rng.Float64() - 1
		}
		if vars[name], err = compiler.NewParam(g, name, t); err != nil {
			return nil, err
		}
		n.params = append(n.params, vars[name])
	}
	layers := []struct{ name, formula string }{
		{"z1", "x @ W1 + b1"},
		{"h", "tanh(z1)"},
		{"yhat", "h @ W2 + b2"},
		{"loss", "mean((yhat - y)^2)"},
	}
	for _, l := range layers {
		if vars[l.name], err = expr.Build(g, expr.MustParse(l.formula), vars); err != nil {
			return nil, fmt.Errorf("%s = %s: %w", l.name, l.formula, err)
		}
	}
	n.z1, n.h, n.yhat, n.loss = vars["z1"], vars["h"], vars["yhat"], vars["loss"]
	if n.prog, err = compiler.Compile(n.loss, n.params, compiler.WithOutputs(n.z1, n.h, n.yhat)); err != nil {
		return nil, err
	}
	return n, notebook.BindBatch(n.prog, n.x, n.y)
}

// showGraph prints the forward formula and every gradient as a formula,
// then the compiled program.
func (n *net) showGraph(out io.Writer, _ *result, _ settings) error {
	notebook.Step(out, 1, "the network and its gradient subgraph")
	fmt.Fprintf(out, "The loss as one formula:\n  L = %s\n", expr.Format(n.loss))
	fmt.Fprintln(out, "\nCompile differentiated it symbolically. Each parameter's gradient is a subgraph;")
	fmt.Fprintln(out, "written as formulas (tanh' is 1 - tanh², transpose(a) @ b sums over the batch):")
	for i, name := range n.names {
		fmt.Fprintf(out, "  dL/d%-3s = %s\n", name, expr.Format(n.prog.GradNode(i)))
	}
	fmt.Fprintln(out, "\nRead right to left, dL/dW1 is the chain rule: the error (ŷ - y) is sent back")
	fmt.Fprintln(out, "through W2 (@ transpose(W2)), through tanh (× tanh'(z1)), then to W1 (transpose(x) @).")
	fmt.Fprintf(out, "\nThe compiled program (%s):\n", n.prog.Stats())
	fmt.Fprint(out, indent(n.prog.Text()))
	return nil
}

// indent indents every line of s by two spaces.
func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

// matrix prints t ([r, c] or [c]) under a name, one row per line.
func matrix(out io.Writer, name string, t interface {
	Data() any
	Shape() tensor.Shape
}) {
	v := t.Data().([]float64)
	cols := v
	s := t.Shape()
	if len(s) == 2 {
		cols = v[:s[1]]
	}
	rows := len(v) / max(len(cols), 1)
	fmt.Fprintf(out, "  %-10s %v\n", name, s)
	for r := range rows {
		fmt.Fprint(out, "    ")
		for c := range cols {
			fmt.Fprintf(out, " %9.5f", v[r*len(cols)+c])
		}
		fmt.Fprintln(out)
	}
}
