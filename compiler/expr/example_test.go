package expr_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler/expr"
)

// Parse reports errors with their line and column; String is canonical.
func ExampleParse() {
	e, err := expr.Parse("-x^2 + (3*y)@W")
	fmt.Println(e, e.Vars(), err)
	_, err = expr.Parse("relu(x @ W +)")
	fmt.Println(err)
	// Output:
	// -x^2 + 3*y @ W [x y W] <nil>
	// line 1, column 13: expected a number, a name or '(', found ")"
}

// Build adds an expression to a graph; Format writes a gradient back as
// text.
func ExampleFormat() {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(5), G.WithName("x"), G.WithInit(G.RangedFrom(1)))
	y, err := expr.Build(g, expr.MustParse("x^3"), map[string]*G.Node{"x": x})
	if err != nil {
		panic(err)
	}
	grads, err := G.Grad(G.Must(G.Sum(y)), x)
	if err != nil {
		panic(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		panic(err)
	}
	fmt.Println("d sum(x^3) / dx =", expr.Format(grads[0]))
	fmt.Println("at x = 1..5:", grads[0].Value())
	// Output:
	// d sum(x^3) / dx = 3*x^2
	// at x = 1..5: [ 3  12  27  48  75]
}

// Build broadcasts numpy-style: a [2] vector added to a [4, 2] matrix is
// added to every row.
func ExampleBuild() {
	g := G.NewGraph()
	A := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("A"), G.WithInit(G.Zeroes()))
	b := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("b"),
		G.WithValue(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))))
	out, err := expr.Build(g, expr.MustParse("A + b"), map[string]*G.Node{"A": A, "b": b})
	if err != nil {
		panic(err)
	}
	_, err = expr.Build(g, expr.MustParse("A @\n  A"), map[string]*G.Node{"A": A})
	fmt.Println(err)
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		panic(err)
	}
	fmt.Println(expr.Format(out))
	fmt.Println(out.Value().Data())
	// Output:
	// line 1, column 3: shapes (4, 2) and (4, 2) do not match for @ (2 against 4)
	// A + b
	// [1 2 1 2 1 2 1 2]
}
