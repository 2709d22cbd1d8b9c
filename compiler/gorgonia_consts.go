package compiler

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Gorgonia keeps package-level constant nodes (one, two, three, zero,
// log 2 and 1+1e-16, in float64 and float32) that G.Grad and the symbolic
// derivatives of square, sqrt, inverse sqrt, cube, log2, pow, BinaryXent,
// Rectify and LeakyRelu put into every graph that needs them. A node caches
// its hash on first use (Node.Hashcode writes hash and hashed), so the
// first two concurrent compiles that need the same constant race on it: the
// race detector saw it in about one run in three of concurrent compiles.
//
// init computes every one of those hashes once, while the program is still
// single-threaded, by differentiating a small graph of each dtype that uses
// them all; afterwards they are only read, and compiles and runs of
// independent graphs share nothing mutable in Gorgonia.
func init() {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		if err := touchConstants(dt); err != nil {
			panic("compiler: warming Gorgonia's constants: " + err.Error())
		}
	}
}

// touchConstants differentiates a cost that uses each package-level
// constant of dtype dt.
func touchConstants(dt tensor.Dtype) error {
	g := G.NewGraph()
	x := G.NewVector(g, dt, G.WithShape(2), G.WithName("x"))
	t := G.NewVector(g, dt, G.WithShape(2), G.WithName("t"))
	terms := []func() (*G.Node, error){
		func() (*G.Node, error) { return G.Square(x) },
		func() (*G.Node, error) { return G.Sqrt(x) },
		func() (*G.Node, error) { return G.InverseSqrt(x) },
		func() (*G.Node, error) { return G.Cube(x) },
		func() (*G.Node, error) { return G.Log2(x) },
		func() (*G.Node, error) { return G.Pow(x, t) },
		func() (*G.Node, error) { return G.Rectify(x) },
		func() (*G.Node, error) { return G.LeakyRelu(x, 0.1) },
		func() (*G.Node, error) {
			s, err := G.Sigmoid(x)
			if err != nil {
				return nil, err
			}
			return G.BinaryXent(s, t)
		},
	}
	var cost *G.Node
	for _, term := range terms {
		y, err := term()
		if err != nil {
			return err
		}
		if y, err = G.Sum(y); err != nil {
			return err
		}
		if cost == nil {
			cost = y
		} else if cost, err = G.Add(cost, y); err != nil {
			return err
		}
	}
	_, err := G.Grad(cost, x, t)
	return err
}
