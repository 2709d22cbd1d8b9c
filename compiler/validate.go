package compiler

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// validate checks the user's forward graph before it is copied: the loss
// is a float scalar (it may have been differentiated or compiled before:
// Compile differentiates a copy); every param is a leaf of the loss's graph that reaches
// the loss; every output belongs to the same graph.
func validate(loss *G.Node, params []*G.Node, outputs G.Nodes) error {
	if loss == nil {
		return errors.New("compile: loss is nil")
	}
	g := loss.Graph()
	if g == nil {
		return errors.Errorf("compile: loss %q belongs to no graph", loss.Name())
	}
	if !loss.IsScalar() {
		return errors.Errorf("compile: loss %q must be a scalar, got shape %v", loss.Name(), loss.Shape())
	}
	if dt := loss.Dtype(); dt != tensor.Float64 && dt != tensor.Float32 {
		return errors.Errorf("compile: loss %q must be float64 or float32, got %v", loss.Name(), dt)
	}
	if len(params) == 0 {
		return errors.New("compile: no parameters to differentiate")
	}
	reach := reachable(loss)
	seen := make(map[*G.Node]bool, len(params))
	for i, p := range params {
		if err := validateParam(i, p, g, reach, seen); err != nil {
			return err
		}
	}
	for i, o := range outputs {
		if o == nil || o.Graph() != g {
			return errors.Errorf("compile: output %d is nil or not in the loss's graph", i)
		}
	}
	return nil
}

func validateParam(i int, p *G.Node, g *G.ExprGraph, reach map[*G.Node]bool, seen map[*G.Node]bool) error {
	switch {
	case p == nil:
		return errors.Errorf("compile: param %d is nil", i)
	case p.Graph() != g:
		return errors.Errorf("compile: param %q is not in the loss's graph", p.Name())
	case !p.IsVar() || IsConstant(p):
		return errors.Errorf("compile: param %q is not a leaf variable (op %v)", p.Name(), p.Op())
	case p.Dtype() != tensor.Float64 && p.Dtype() != tensor.Float32:
		return errors.Errorf("compile: param %q has dtype %v; params must be float64 or float32", p.Name(), p.Dtype())
	case p.Value() == nil:
		return errors.Errorf("compile: param %q has no value", p.Name())
	case seen[p]:
		return errors.Errorf("compile: param %q is listed twice", p.Name())
	case !reach[p]:
		return errors.Errorf("compile: param %q is unused: it does not reach the loss", p.Name())
	}
	seen[p] = true
	return nil
}

// reachable returns every node the value of root depends on.
func reachable(root *G.Node) map[*G.Node]bool { return walkInputs(root, nil) }

// walkInputs returns root and every node reached from it through inputs:
// all of them when only is nil, else the inputs whose entry of only(n)
// is true (a missing entry is false).
func walkInputs(root *G.Node, only func(n *G.Node) []bool) map[*G.Node]bool {
	seen := map[*G.Node]bool{root: true}
	stack := G.Nodes{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		var mask []bool
		if only != nil {
			mask = only(n)
		}
		for i, c := range children(n) {
			if (only == nil || i < len(mask) && mask[i]) && !seen[c] {
				seen[c] = true
				stack = append(stack, c)
			}
		}
	}
	return seen
}
