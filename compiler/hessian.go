package compiler

import (
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler/exec"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// HVPProgram computes, at the current parameter values, the loss f, its
// gradient g = ∇f and the Hessian-vector product H v = ∇⟨∇f, v⟩ for a
// direction v over all parameters (Pearlmutter's identity: the gradient of
// the scalar ⟨g, v⟩ with v held constant).
//
// Gorgonia's Grad, applied to a graph it has already differentiated,
// reuses the first derivatives it stored on the nodes (a node with a
// derivative is not differentiated again), so a second G.Grad on the same
// graph gives wrong H v (for sum(exp(x)): not exp(x) ⊙ v). HVP therefore
// copies the gradient graph, ⟨g, v⟩ included, into a fresh graph (the
// copy machinery of the pass pipeline: fresh nodes carry no derivatives)
// and differentiates that copy.
type HVPProgram struct {
	params G.Nodes // the user's parameters
	inputs G.Nodes // bindable leaves of the order-2 graph
	dirs   []*tensor.Dense
	loss   G.Value
	grads  []G.Value
	hv     []G.Value
	run    exec.Runner
	guard  bool
}

// HVP compiles loss for Hessian-vector products with respect to params.
// Only Option values that make sense for a loss are honoured: penalties are
// not added, outputs are ignored; the pass pipeline runs with the rules
// whose replacements are twice differentiable (WithPasses(false) turns it
// off). An op whose gradient cannot be differentiated again is an error
// naming it.
func HVP(loss *G.Node, params []*G.Node, opts ...Option) (h *HVPProgram, err error) {
	defer panics.Recover(&err, "compile for Hessian-vector products")
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if err := validate(loss, params, nil); err != nil {
		return nil, err
	}
	rw, err := rewriteGraph(G.Nodes{loss}, params, cfg.ruleSet(true))
	if err != nil {
		return nil, errors.Wrap(err, "hvp")
	}
	h = &HVPProgram{params: append(G.Nodes{}, params...), guard: !cfg.noGuard}
	first, err := symbolicGrad(rw.roots[0], rw.params)
	if err != nil {
		return nil, errors.Wrap(err, "hvp: first derivatives")
	}
	dot, err := h.directions(rw.params, first)
	if err != nil {
		return nil, err
	}
	// A fresh copy of loss, gradients and <g, v>: no node carries a
	// derivative, so G.Grad differentiates every one of them.
	roots := append(append(G.Nodes{rw.roots[0]}, first...), dot)
	fresh, err := rewriteGraph(roots, rw.params, nil)
	if err != nil {
		return nil, errors.Wrap(err, "hvp: copying the gradient graph")
	}
	hv, err := secondGrad(fresh.roots[len(roots)-1], fresh.params)
	if err != nil {
		return nil, errors.Wrapf(err, "hvp: second derivatives of %q", loss.Name())
	}
	return h, h.build(fresh, len(params), hv)
}

// secondGrad is G.Grad of dot with respect to the params it depends on
// differentiably; a param it does not (the loss is linear in it, or the
// gradient reaches it only through a locally constant op such as sign) has
// H v = 0 there, a nil node.
func secondGrad(dot *G.Node, params G.Nodes) (G.Nodes, error) {
	reach := diffReachable(dot)
	for n := range reach {
		if ops.KindOf(n) == ops.KindSliceIncr {
			// Its SymDiff passes the gradient to its first input, which only
			// gives the shape: H v through a slice comes out wrong (the
			// slice op's H v check fails), so refuse rather than answer.
			return nil, errors.Errorf("Gorgonia's slice gradient (%v) is not twice differentiable", n.Op())
		}
	}
	var wrt G.Nodes
	for _, p := range params {
		if reach[p] {
			wrt = append(wrt, p)
		}
	}
	out := make(G.Nodes, len(params))
	if len(wrt) == 0 {
		return out, nil
	}
	d, err := symbolicGrad(dot, wrt)
	if err != nil {
		return nil, errors.Wrap(err, "an op on the way is not twice differentiable")
	}
	for i, k := 0, 0; i < len(params); i++ {
		if reach[params[i]] {
			out[i], k = d[k], k+1
		}
	}
	return out, nil
}

// directions adds a direction input v_i per parameter and returns
// Σ_i sum(g_i ⊙ v_i).
func (h *HVPProgram) directions(params, grads G.Nodes) (*G.Node, error) {
	var dot *G.Node
	for i, p := range params {
		v, err := NewInput(p.Graph(), "hvp.v."+p.Name(), p.Dtype(), p.Shape()...)
		if err != nil {
			return nil, errors.Wrapf(err, "hvp: direction of %q", p.Name())
		}
		h.dirs = append(h.dirs, v.Value().(*tensor.Dense))
		prod, err := G.HadamardProd(grads[i], v)
		if err != nil {
			return nil, errors.Wrapf(err, "hvp: grad %s ⊙ v", p.Name())
		}
		term, err := G.Sum(prod)
		if err != nil {
			return nil, err
		}
		if dot == nil {
			dot = term
		} else if dot, err = G.Add(dot, term); err != nil {
			return nil, err
		}
	}
	return dot, nil
}

// build plans the run of the loss, gradients and H v.
func (h *HVPProgram) build(fresh *rewritten, n int, hv G.Nodes) error {
	h.loss = exec.ZeroValue(fresh.roots[0])
	r := readList{}
	r.add(fresh.roots[0], &h.loss)
	h.grads, h.hv = make([]G.Value, n), make([]G.Value, n)
	for i, p := range fresh.params {
		h.grads[i] = tensor.New(tensor.Of(p.Dtype()), tensor.WithShape(p.Shape().Clone()...))
		h.hv[i] = tensor.New(tensor.Of(p.Dtype()), tensor.WithShape(p.Shape().Clone()...))
		r.add(fresh.roots[1+i], &h.grads[i])
		if hv[i] != nil { // else H v stays 0
			r.add(hv[i], &h.hv[i])
		}
	}
	var err error
	if h.run, err = newRunner(r, false); err != nil {
		return errors.Wrap(err, "hvp: planning")
	}
	for _, in := range bindableInputs(h.run.Graph(), fresh.params) {
		if !strings.HasPrefix(in.Name(), "hvp.v.") {
			h.inputs = append(h.inputs, in)
		}
	}
	return nil
}

// Bind copies v into the input named name (exact shape and dtype).
func (h *HVPProgram) Bind(name string, v tensor.Tensor) error {
	p := &Program{inputs: h.inputs, guard: h.guard}
	return p.bind(name, v)
}

// Direction returns the direction tensor v_i of params[i]; write the
// direction into it before Run. It starts at zero.
// It is nil when i is out of range.
func (h *HVPProgram) Direction(i int) *tensor.Dense {
	if i < 0 || i >= len(h.dirs) {
		return nil
	}
	return h.dirs[i]
}

// Run computes the loss, the gradients and H v (in training mode).
func (h *HVPProgram) Run() error {
	if err := h.run.Run(Training); err != nil {
		return errors.Wrap(err, "hvp run")
	}
	if h.guard {
		for i, v := range h.hv {
			if at, what, bad := firstNonFinite(v); bad {
				return errors.Errorf("hvp run: H v of %q is %s at %v", h.params[i].Name(), what, at)
			}
		}
	}
	return nil
}

// Loss returns the loss of the last run.
func (h *HVPProgram) Loss() float64 { return scalarFloat(h.loss) }

// Grad returns the gradient of params[i] from the last run.
// It is nil when i is out of range.
func (h *HVPProgram) Grad(i int) *tensor.Dense {
	if i < 0 || i >= len(h.grads) {
		return nil
	}
	return h.grads[i].(*tensor.Dense)
}

// HV returns the params[i] block of H v from the last run.
// It is nil when i is out of range.
func (h *HVPProgram) HV(i int) *tensor.Dense {
	if i < 0 || i >= len(h.hv) {
		return nil
	}
	return h.hv[i].(*tensor.Dense)
}

// Params returns the parameters, as given to HVP.
func (h *HVPProgram) Params() G.Nodes { return h.params }

// diffReachable returns the nodes root depends on differentiably: the
// walk follows an op's input only where its DiffWRT says so (Gorgonia's
// Grad refuses a wrt node outside this set).
func diffReachable(root *G.Node) map[*G.Node]bool { return walkInputs(root, diffWRT) }
