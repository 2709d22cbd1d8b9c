package compiler

import (
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/internal/panics"
)

// ReferenceObjective evaluates the objective (the loss plus any L1/L2
// penalty) at the program's current parameter and input values without
// the program: it interprets the graph given to Compile node by node with
// each op's own Do, and adds the penalties computed directly from their
// definitions. No copy of the graph, no rewrite pass, no execution plan and
// no gradient node is involved, so a defect in any of them shows up as a
// difference between this and Objective, and a numeric gradient computed
// from it (gradcheck's) cannot inherit it. mode sets the ops' train/eval
// switch, as RunLoss does.
//
// It allocates every value it computes: it is a reference, not a fast path.
func (p *Program) ReferenceObjective(mode Mode) (v float64, err error) {
	defer panics.Recover(&err, "reference evaluation")
	if p == nil || p.user.loss == nil {
		return 0, errors.New("reference evaluation: no compiled program")
	}
	loss, err := p.interpret(p.user.loss, mode)
	if err != nil {
		return 0, err
	}
	v, err = referenceScalar(loss)
	if err != nil {
		return 0, errors.Wrapf(err, "reference evaluation of %q", p.user.loss.Name())
	}
	for _, pen := range p.penalties {
		v += pen.value()
	}
	return v, nil
}

// interpret computes root's value from the leaves' current values, children
// first, calling each op's Do on fresh inputs.
func (p *Program) interpret(root *G.Node, mode Mode) (G.Value, error) {
	vals := make(map[*G.Node]G.Value)
	for _, n := range postOrder(root) {
		if n.Op() == nil {
			vals[n] = p.leafValue(n)
			if vals[n] == nil {
				return nil, errors.Errorf("reference evaluation: %q has no value (bind it first)", n.Name())
			}
			continue
		}
		if m, ok := n.Op().(G.TrainModeOp); ok {
			if err := m.SetTraining(mode == Training); err != nil {
				return nil, err
			}
		}
		ch := children(n)
		in := make([]G.Value, len(ch))
		for i, c := range ch {
			in[i] = vals[c]
		}
		if k := n.Op().OverwritesInput(); k >= 0 && k < len(in) {
			in[k] = cloneValue(in[k])
		}
		out, err := n.Op().Do(in...)
		if err != nil {
			return nil, errors.Wrapf(err, "reference evaluation of %v", n)
		}
		vals[n] = out
	}
	return vals[root], nil
}

// leafValue is the value the program holds for a user's leaf (the copy's
// leaves share their tensors with the user's, and Bind writes into them).
func (p *Program) leafValue(n *G.Node) G.Value {
	if m, ok := p.toProg[n]; ok && m.Value() != nil {
		return m.Value()
	}
	return n.Value()
}

// postOrder lists root and everything it depends on, children before
// parents, each once (iteratively: unrolled graphs are deep).
func postOrder(root *G.Node) G.Nodes {
	var out G.Nodes
	done := map[*G.Node]bool{}
	type frame struct {
		n  *G.Node
		ch G.Nodes
		i  int
	}
	stack := []frame{{n: root, ch: children(root)}}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.i < len(f.ch) {
			c := f.ch[f.i]
			f.i++
			if !done[c] {
				done[c] = true
				stack = append(stack, frame{n: c, ch: children(c)})
			}
			continue
		}
		out = append(out, f.n)
		stack = stack[:len(stack)-1]
	}
	return out
}

func cloneValue(v G.Value) G.Value {
	switch x := v.(type) {
	case *tensor.Dense:
		return x.Clone().(*tensor.Dense)
	case *G.F64:
		c := *x
		return &c
	case *G.F32:
		c := *x
		return &c
	}
	return v
}

func referenceScalar(v G.Value) (float64, error) {
	switch x := v.(type) {
	case *G.F64, *G.F32:
		return scalarFloat(v), nil
	case *tensor.Dense:
		if x.Shape().TotalSize() == 1 {
			switch d := x.Data().(type) {
			case []float64:
				return d[0], nil
			case []float32:
				return float64(d[0]), nil
			case float64:
				return d, nil
			case float32:
				return float64(d), nil
			}
		}
	}
	return 0, errors.Errorf("value %v is not a float scalar", v)
}

// penaltyTerm is one configured penalty, kept in its defining form for
// ReferenceObjective: L1 is lambda Σ|p|, L2 is (lambda/2) Σ p² (ops.L1Penalty,
// ops.L2Penalty).
type penaltyTerm struct {
	lambda float64
	l1     bool
	params G.Nodes
}

func (t penaltyTerm) value() float64 {
	s := 0.0
	for _, p := range t.params {
		for _, x := range floatdense.Float64s(p.Value().Data()) {
			if t.l1 {
				s += math.Abs(x)
			} else {
				s += x * x
			}
		}
	}
	if t.l1 {
		return t.lambda * s
	}
	return t.lambda / 2 * s
}

// penaltiesOf lists the penalties cfg configures over the program's params.
func penaltiesOf(cfg *config, params G.Nodes) []penaltyTerm {
	var out []penaltyTerm
	add := func(lambda float64, on G.Nodes, l1 bool) {
		if lambda == 0 {
			return
		}
		if len(on) == 0 {
			on = params
		}
		out = append(out, penaltyTerm{lambda: lambda, l1: l1, params: on})
	}
	add(cfg.l1, cfg.l1Params, true)
	add(cfg.l2, cfg.l2Params, false)
	return out
}
