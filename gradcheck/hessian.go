package gradcheck

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/internal/panics"
)

// hvpGraph is the order-2 program (compiler.HVP: loss, gradient g and
// H v = grad <g, v>) and the parameters it perturbs.
type hvpGraph struct {
	params []*G.Node
	prog   *compiler.HVPProgram
}

// checkHVP checks Hessian-vector products on a fresh float64 build with
// src's values: the symbolic H v from compiler.HVP (the gradient graph
// copied into a fresh graph and differentiated again) against the numeric
// (grad f(x+eps v) - grad f(x-eps v)) / 2eps, for cfg.Directions random
// unit directions v over all parameters jointly. A gradient that cannot
// be differentiated again gives one NotTwiceDifferentiable row naming the
// op.
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
	rows, err := h.check(cfg)
	if err != nil {
		return []Result{{Name: "H·v", Row: RowHVP, Verdict: NotTwiceDifferentiable, Note: "running the order-2 graph: " + err.Error()}}, ""
	}
	return rows, "order 2: H v = grad <grad f, v> (compiler.HVP: the gradient graph differentiated again as a fresh copy), vs (grad f(x+eps v) - grad f(x-eps v))/2eps"
}

// newHVPGraph compiles prob for Hessian-vector products and binds its
// inputs.
func newHVPGraph(prob *Problem) (*hvpGraph, error) {
	prog, err := compiler.HVP(prob.Loss, prob.Params, compiler.WithNaNGuard(false))
	if err != nil {
		return nil, err
	}
	for name, v := range prob.Inputs {
		if err := prog.Bind(name, v); err != nil {
			return nil, errors.Wrapf(err, "binding %q", name)
		}
	}
	return &hvpGraph{params: prob.Params, prog: prog}, nil
}

func (h *hvpGraph) run() error { return h.prog.Run() }

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
			copy(h.prog.Direction(i).Data().([]float64), v[off:off+len(xs[i])])
			off += len(xs[i])
		}
		if err := h.run(); err != nil {
			return nil, err
		}
		sym := h.collect(h.prog.HV)
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
				st[i].add(floatdense.Unravel(e, h.params[i].Shape()), k, sym[i][e], num, nan, nan)
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
		v := h.prog.Direction(i).Data().([]float64)
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
	return h.collect(h.prog.Grad), nil
}

var nan = math.NaN()

// collect copies the per-parameter tensors f(i).
func (h *hvpGraph) collect(f func(int) *tensor.Dense) [][]float64 {
	out := make([][]float64, len(h.params))
	for i := range out {
		out[i] = append([]float64(nil), f(i).Data().([]float64)...)
	}
	return out
}
