package gradcheck

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/panics"
)

// hvpGraph is the order-2 graph: the gradient g of the loss, directions v
// (inputs, one per parameter), and h = grad <g, v> = H v, with the machine
// that computes g and h.
type hvpGraph struct {
	params []*G.Node
	dirs   []*tensor.Dense // the values of the direction inputs
	grads  []G.Value       // g at the current point
	hv     []G.Value       // H v at the current point
	vm     G.VM
}

// checkHVP checks Hessian-vector products on a fresh float64 graph with
// src's values: the symbolic H v (a second G.Grad, of <grad f, v>) against
// the numeric (grad f(x+eps v) - grad f(x-eps v)) / 2eps, for cfg.Directions
// random unit directions v over all parameters jointly. A gradient that
// cannot be differentiated again gives one NotTwiceDifferentiable row.
//
// Gorgonia's Grad on an already differentiated graph reuses the first
// derivatives it stored on the nodes (a node with a derivative is not
// differentiated again), so H v can come out wrong (for sum(x^3): 3x where
// 6x is right); the numeric comparison reports that as a failure.
func checkHVP(build Builder, src *Problem, cfg Config) ([]Result, string) {
	prob, err := buildProblem(build, tensor.Float64)
	if err == nil {
		err = copyValues(prob, src)
	}
	if err != nil {
		return []Result{{Name: "H·v", Row: RowHVP, Verdict: Error, Note: "building the order-2 graph: " + err.Error()}}, ""
	}
	var h *hvpGraph
	if err := panics.Call(func() (err error) { h, err = newHVPGraph(prob); return err }, "second-order differentiation"); err != nil {
		return []Result{{Name: "H·v", Row: RowHVP, Verdict: NotTwiceDifferentiable, Note: err.Error()}}, ""
	}
	defer h.vm.Close()
	rows, err := h.check(cfg)
	if err != nil {
		return []Result{{Name: "H·v", Row: RowHVP, Verdict: NotTwiceDifferentiable, Note: "running the order-2 graph: " + err.Error()}}, ""
	}
	return rows, "order 2: H v = grad <grad f, v> from a second G.Grad on a fresh graph, vs (grad f(x+eps v) - grad f(x-eps v))/2eps"
}

// newHVPGraph differentiates prob twice and builds the machine.
func newHVPGraph(prob *Problem) (*hvpGraph, error) {
	g := prob.Loss.Graph()
	for name, v := range prob.Inputs {
		nodes := g.ByName(name)
		if len(nodes) != 1 {
			return nil, errors.Errorf("input %q: %d nodes of that name", name, len(nodes))
		}
		if err := G.Let(nodes[0], v); err != nil {
			return nil, errors.Wrapf(err, "binding %q", name)
		}
	}
	grads, err := G.Grad(prob.Loss, prob.Params...)
	if err != nil {
		return nil, errors.Wrap(err, "first G.Grad")
	}
	h := &hvpGraph{params: prob.Params}
	var dot *G.Node
	for i, p := range prob.Params {
		vn, err := compiler.NewInput(g, "gradcheck.v."+p.Name(), tensor.Float64, p.Shape()...)
		if err != nil {
			return nil, err
		}
		h.dirs = append(h.dirs, vn.Value().(*tensor.Dense))
		prod, err := G.HadamardProd(grads[i], vn)
		if err != nil {
			return nil, errors.Wrapf(err, "grad %s ⊙ v", p.Name())
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
	hv, err := G.Grad(dot, prob.Params...)
	if err != nil {
		return nil, errors.Wrap(err, "second G.Grad, of <grad f, v>")
	}
	var reads G.Nodes
	for i, p := range prob.Params {
		h.grads = append(h.grads, tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(p.Shape().Clone()...)))
		h.hv = append(h.hv, tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(p.Shape().Clone()...)))
		reads = append(reads, G.Read(grads[i], &h.grads[i]), G.Read(hv[i], &h.hv[i]))
	}
	h.vm = G.NewTapeMachine(g.ExactSubgraphRoots(reads...))
	return h, nil
}

func (h *hvpGraph) run() error {
	return panics.Call(func() error { h.vm.Reset(); return h.vm.RunAll() }, "order-2 run")
}

// check compares symbolic and numeric H v for cfg.Directions directions.
func (h *hvpGraph) check(cfg Config) ([]Result, error) {
	rng := newRNG(cfg.Seed, 4)
	j := judge{cfg.Atol, cfg.Rtol}
	st := make([]*stats, len(h.params))
	xs := make([][]float64, len(h.params))
	orig := make([][]float64, len(h.params))
	total := 0
	for i, p := range h.params {
		st[i] = newStats(fmt.Sprintf("H·v %s", p.Name()), RowHVP, p.Shape(), j)
		st[i].res.Mode = "directions"
		xs[i] = p.Value().(*tensor.Dense).Data().([]float64)
		orig[i] = append([]float64(nil), xs[i]...)
		total += len(xs[i])
	}
	defer func() {
		for i := range xs {
			copy(xs[i], orig[i])
		}
	}()
	for k := 1; k <= cfg.Directions; k++ {
		v := unitDirection(rng, total)
		for i, off := 0, 0; i < len(h.params); i++ {
			copy(h.dirs[i].Data().([]float64), v[off:off+len(xs[i])])
			off += len(xs[i])
		}
		if err := h.run(); err != nil {
			return nil, err
		}
		sym := cloneAll(h.hv)
		plus, err := h.gradsAt(xs, orig, cfg.Eps)
		if err != nil {
			return nil, err
		}
		minus, err := h.gradsAt(xs, orig, -cfg.Eps)
		if err != nil {
			return nil, err
		}
		for i := range h.params {
			for e := range sym[i] {
				num := (plus[i][e] - minus[i][e]) / (2 * cfg.Eps)
				st[i].add(unravel(e, h.params[i].Shape()), k, sym[i][e], num, nan, nan)
			}
		}
	}
	rows := make([]Result, len(st))
	for i, s := range st {
		rows[i] = s.result()
	}
	return rows, nil
}

// gradsAt runs the graph at x = orig + t v and returns the gradients.
func (h *hvpGraph) gradsAt(xs, orig [][]float64, t float64) ([][]float64, error) {
	for i := range xs {
		v := h.dirs[i].Data().([]float64)
		for e := range xs[i] {
			xs[i][e] = orig[i][e] + t*v[e]
		}
	}
	err := h.run()
	for i := range xs {
		copy(xs[i], orig[i])
	}
	if err != nil {
		return nil, err
	}
	return cloneAll(h.grads), nil
}

var nan = math.NaN()

func cloneAll(vs []G.Value) [][]float64 {
	out := make([][]float64, len(vs))
	for i, v := range vs {
		out[i] = append([]float64(nil), v.Data().([]float64)...)
	}
	return out
}
