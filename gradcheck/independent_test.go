package gradcheck

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
)

// wrongTanh is a deliberately wrong rewrite, tanh(x) -> x⊙x: the program
// then computes another function, and its symbolic gradient is right for
// that function. A numeric side that evaluated the program would agree.
var wrongTanh = &compiler.Rule{
	Name:  "tanh(x) -> x⊙x (deliberately wrong)",
	Phase: compiler.Canonicalize,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		if !strings.HasPrefix(n.Op().String(), "tanh") {
			return nil, nil
		}
		in := n.Graph().From(n.ID())
		in.Next()
		c := in.Node().(*G.Node)
		return G.HadamardProd(c, c)
	},
}

// TestWrongProgramCannotCheckItself checks that the numeric gradient comes
// from the graph given to Compile, not from the program: a program rewritten
// wrongly fails the forward comparison and the gradient rows, and the same
// function compiled correctly passes.
func TestWrongProgramCannotCheckItself(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []compiler.Option
		wantFail bool
	}{
		{"correct program", nil, false},
		{"wrongly rewritten program", []compiler.Option{compiler.WithRules(wrongTanh)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := G.NewGraph()
			w, _ := compiler.NewParam(g, "w", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0.3, -0.8, 1.1})))
			loss := G.Must(G.Sum(G.Must(G.Tanh(w))))
			p, err := compiler.Compile(loss, []*G.Node{w}, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			r, err := CheckProgram(p, Config{})
			if err != nil {
				t.Fatal(err)
			}
			failed := r.Verdict == Fail
			if failed != tc.wantFail {
				t.Fatalf("verdict %v, want failure %v: %+v", r.Verdict, tc.wantFail, r.Results)
			}
			if !tc.wantFail {
				return
			}
			var forward, grad bool
			for _, row := range r.Results {
				forward = forward || row.Row == RowObjective && row.Verdict == Fail
				grad = grad || row.Row == RowGrad && row.Verdict == Fail
			}
			if !forward || !grad {
				t.Errorf("forward row failed %v, gradient row failed %v; want both: %+v", forward, grad, r.Results)
			}
		})
	}
}
