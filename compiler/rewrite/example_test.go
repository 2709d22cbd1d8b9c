package rewrite_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler/rewrite"
	"github.com/symgrad/symgrad/ops"
)

// A rule of one's own, written as its identity: exp(log(x)) -> x (for
// positive x; a rule for experiments, not a default one).
func ExampleFromCases() {
	x := rewrite.V("x")
	expLog := rewrite.FromCases(true, rewrite.Case{
		From: rewrite.Op(ops.KindExp, rewrite.Op(ops.KindLog, x)),
		To:   "x",
		Build: func(m *rewrite.Match, _ *G.Node) (*G.Node, error) {
			return m.Node("x"), nil
		},
	})
	expLog.Phase = rewrite.Canonicalize
	fmt.Println(expLog.Name)

	g := G.NewGraph()
	v := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("v"))
	out, err := expLog.Apply(G.Must(G.Exp(G.Must(G.Log(v)))))
	fmt.Println(out == v, err)
	// Output:
	// exp(log(x)) -> x
	// true <nil>
}
