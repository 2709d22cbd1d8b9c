package main

import (
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/compiler/expr"
	"github.com/symgrad/symgrad/gradcheck"
	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/ops"
	"github.com/symgrad/symgrad/safetensors"
)

// exprCheck is one expr command: the parsed expression and the values of
// its variables.
type exprCheck struct {
	src    string
	e      *expr.Expr
	vars   []string
	values map[string]*tensor.Dense // float64 values by variable
	// ints holds the variables given as integer tensors in --input (class
	// indices): int64 inputs, not differentiated.
	ints map[string]*tensor.Dense
	// scalars are the variables given 0-d in --input (or as --var s=scalar):
	// they are [1] in the graph and 0-d again in --dump.
	scalars map[string]bool
	// valueScalar says the value is 0-d in PyTorch's semantics (scalar
	// variables 0-d), though the graph computes it as [1] (valueIsScalar).
	valueScalar bool
}

// params lists the differentiated variables, in the order of the program's
// parameters.
func (x *exprCheck) params() []string {
	var out []string
	for _, v := range x.vars {
		if x.ints[v] == nil {
			out = append(out, v)
		}
	}
	return out
}

// checkExpr runs the expr command: parse, check, and the optional
// --show-grad, --dump and --reference.
func checkExpr(o *options, args []string, stdout io.Writer) ([]*gradcheck.Report, error) {
	if len(args) != 1 {
		return nil, usagef("expr takes one expression (quote it), got %d arguments", len(args))
	}
	x, err := newExprCheck(o, args[0])
	if err != nil {
		return nil, err
	}
	cfg := o.cfg
	if !o.modeSet && x.paramCount() > fastAbove {
		cfg.Mode = gradcheck.Fast // as for models: full mode is one pass per element
	}
	r, err := gradcheck.Check(x.src, gradcheck.KindExpr, x.builder(o.cfg.Seed), cfg)
	if err != nil {
		return nil, usagef("expr: %v", err)
	}
	if r.Error != "" || (!o.showGrad && !o.passes && o.dump == "" && o.ref == "") {
		return []*gradcheck.Report{r}, nil
	}
	prob, prog, err := x.runOnce(o.cfg)
	if err != nil {
		return nil, errors.Wrap(err, "expr")
	}
	defer prog.Close()
	if o.showGrad {
		for i, v := range x.params() {
			line := fmt.Sprintf("grad %s = %s", v, expr.Format(prog.GradNode(i)))
			if o.format == "table" {
				fmt.Fprintln(stdout, line)
			} else {
				r.Notes = append(r.Notes, line)
			}
		}
	}
	if o.passes {
		showPasses(prog, o, r, stdout)
	}
	out := dumpTensors(prob, prog, x)
	if o.dump != "" {
		if err := safetensors.Write(o.dump, out, map[string]string{"expr": x.src}); err != nil {
			return nil, errors.Wrap(err, "--dump")
		}
	}
	if o.ref != "" {
		if err := compareReference(r, o, out); err != nil {
			return nil, err
		}
	}
	return []*gradcheck.Report{r}, nil
}

// varDomains gives each variable the domain its ops need: a variable
// passed directly to a registered op (log(x), sqrt(x), acosh(x)) is drawn
// from the intersection of the domains the registry gives those arguments;
// any other variable from ops.Real, [-2, 2].
func varDomains(e *expr.Expr) map[string]ops.Domain {
	out := map[string]ops.Domain{}
	for _, v := range e.Vars() {
		out[v] = ops.Real
	}
	narrowed := map[string]bool{}
	for _, a := range e.VarArgs() {
		s, ok := ops.Lookup(a.Func)
		if !ok || a.Index >= len(s.Example.Inputs) {
			continue
		}
		in := s.Example.Inputs[a.Index]
		if in.Classes > 0 || in.Domain.Min >= in.Domain.Max {
			continue
		}
		d := out[a.Var]
		if !narrowed[a.Var] {
			d = ops.Domain{Min: in.Domain.Min, Max: in.Domain.Max, Margin: in.Domain.Margin}
		} else {
			d.Min, d.Max, d.Margin = max(d.Min, in.Domain.Min), min(d.Max, in.Domain.Max), max(d.Margin, in.Domain.Margin)
		}
		d.Avoid = append(append([]float64(nil), d.Avoid...), in.Domain.Avoid...)
		if d.Min >= d.Max { // the ops disagree: keep the first op's domain
			continue
		}
		out[a.Var], narrowed[a.Var] = d, true
	}
	return out
}

// newExprCheck parses src and gathers the variables' values: from --input
// by name, else seeded values of the --var shapes drawn from each
// variable's domain (varDomains).
func newExprCheck(o *options, src string) (*exprCheck, error) {
	e, err := expr.Parse(src)
	if err != nil {
		return nil, usagef("expr %q: %v", src, err)
	}
	x := &exprCheck{src: src, e: e, vars: e.Vars(), values: map[string]*tensor.Dense{},
		ints: map[string]*tensor.Dense{}, scalars: map[string]bool{}}
	if len(x.vars) == 0 {
		return nil, usagef("expr %q has no variables to differentiate", src)
	}
	shapes, err := parseVars(o.vars)
	if err != nil {
		return nil, err
	}
	var file *safetensors.File
	if o.input != "" {
		if file, err = safetensors.Read(o.input); err != nil {
			return nil, usagef("--input: %v", err)
		}
	}
	known := map[string]bool{}
	domains := varDomains(e)
	rng := rand.New(rand.NewPCG(o.cfg.Seed, 11))
	for _, v := range x.vars {
		known[v] = true
		if t, ok := fileTensor(file, v); ok {
			if err := checkFileTensor(fmt.Sprintf("--input %s: tensor %q", o.input, v), t, o.maxElements); err != nil {
				return nil, usagef("%v", err)
			}
			if err := x.setInput(v, t); err != nil {
				return nil, usagef("--input %s: %v", v, err)
			}
			continue
		}
		shape, ok := shapes[v]
		if !ok {
			return nil, usagef("variable %s has no shape: give --var %s=SHAPE (e.g. 4x3, 5, scalar) or its value in --input", v, v)
		}
		if len(shape) == 0 {
			shape = []int{1} // compiler params have rank >= 1
			x.scalars[v] = true
		}
		if err := checkSize("--var "+v, shape, o.maxElements); err != nil {
			return nil, usagef("%v", err)
		}
		if x.values[v], err = gradcheck.DrawDomain(rng, domains[v], tensor.Float64, shape...); err != nil {
			return nil, err
		}
	}
	prob, err := x.builder(o.cfg.Seed)(tensor.Float64)
	if err != nil {
		return nil, usagef("expr %q: %v", src, err)
	}
	if len(x.ints) > 0 {
		if err := checkClassIndices(prob.Output.Graph(), x.ints); err != nil {
			return nil, usagef("--input %s: %v", o.input, err)
		}
	}
	if len(x.scalars) > 0 {
		if x.valueScalar, err = x.valueIsScalar(); err != nil {
			x.valueScalar = false // Gorgonia's scalar ops reject it: keep the graph's shape
		}
	}
	for name := range shapes {
		if !known[name] {
			return nil, usagef("--var %s: the expression has no variable %s (variables: %s)", name, name, strings.Join(x.vars, ", "))
		}
	}
	return x, nil
}

// setInput takes a variable's value from --input: an integer tensor is an
// int64 input (class indices), a float one a parameter.
func (x *exprCheck) setInput(v string, t *tensor.Dense) error {
	if t.Dims() == 0 {
		x.scalars[v] = true
	}
	if isInteger(t.Dtype()) {
		ints, err := toInt64s(t)
		x.ints[v] = ints
		return err
	}
	f, err := safetensors.AsFloat64(t)
	if err != nil {
		return err
	}
	if f.Dims() == 0 {
		f = tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{f.Data().(float64)}))
	}
	x.values[v] = f
	return nil
}

func isInteger(dt tensor.Dtype) bool {
	switch dt {
	case tensor.Int64, tensor.Int32, tensor.Int16, tensor.Int8, tensor.Uint8:
		return true
	}
	return false
}

// toInt64s converts an integer tensor (any rank >= 1) to int64.
func toInt64s(t *tensor.Dense) (*tensor.Dense, error) {
	if t.Dims() == 0 {
		return nil, errors.New("integer inputs must have rank >= 1")
	}
	n := t.Shape().TotalSize()
	out := make([]int64, n)
	for i := range out {
		v, err := t.At(floatdense.Unravel(i, t.Shape())...)
		if err != nil {
			return nil, err
		}
		out[i] = toInt64(v)
	}
	return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(out)), nil
}

func fileTensor(f *safetensors.File, name string) (*tensor.Dense, bool) {
	if f == nil {
		return nil, false
	}
	t, ok := f.Tensors[name]
	return t, ok
}

// builder builds the expression on a fresh graph for the gradient check:
// every variable a parameter; a non-scalar value reduced with
// gradcheck.UpstreamSum (random upstream weights, which catch transposed
// gradients that all-ones weights hide).
func (x *exprCheck) builder(seed uint64) gradcheck.Builder {
	return x.builderReducing(func(out *G.Node) (*G.Node, error) { return gradcheck.UpstreamSum(out, seed) })
}

// builderReducing builds the expression, reducing a non-scalar value to
// the scalar loss with reduce.
func (x *exprCheck) builderReducing(reduce func(*G.Node) (*G.Node, error)) gradcheck.Builder {
	return func(dt tensor.Dtype) (*gradcheck.Problem, error) {
		g := G.NewGraph()
		prob := &gradcheck.Problem{}
		nodes := map[string]*G.Node{}
		for _, v := range x.vars {
			if ints := x.ints[v]; ints != nil {
				n, err := compiler.NewInput(g, v, tensor.Int64, ints.Shape()...)
				if err != nil {
					return nil, err
				}
				nodes[v] = n
				if prob.Inputs == nil {
					prob.Inputs = map[string]*tensor.Dense{}
				}
				prob.Inputs[v] = ints
				continue
			}
			val := x.values[v].Clone().(*tensor.Dense)
			if dt == tensor.Float32 {
				val = toFloat32(val)
			}
			n, err := compiler.NewParam(g, v, val)
			if err != nil {
				return nil, err
			}
			nodes[v] = n
			prob.Params = append(prob.Params, n)
		}
		out, err := expr.Build(g, x.e, nodes)
		if err != nil {
			return nil, err
		}
		prob.Output = out
		if out.IsScalar() {
			prob.Loss = out
			return prob, nil
		}
		prob.Loss, err = reduce(out)
		return prob, err
	}
}

// runOnce compiles the expression in the configured dtype and runs one
// training pass: the value and the gradients. A non-scalar value is reduced
// by a plain sum, so its gradients are those of value.sum() — what another
// framework computes with an all-ones upstream gradient — and --dump and
// --reference can be compared across frameworks.
func (x *exprCheck) runOnce(cfg gradcheck.Config) (*gradcheck.Problem, *compiler.Program, error) {
	dt := cfg.Dtype
	if dt == (tensor.Dtype{}) {
		dt = tensor.Float64
	}
	prob, err := x.builderReducing(func(out *G.Node) (*G.Node, error) { return G.Sum(out) })(dt)
	if err != nil {
		return nil, nil, err
	}
	prog, err := prob.Compile()
	if err != nil {
		return nil, nil, err
	}
	if err := prog.RunTrain(); err != nil {
		prog.Close()
		return nil, nil, err
	}
	return prob, prog, nil
}

// dumpTensors is value (the expression's value) and grad.<var> for every
// differentiated variable. With a non-scalar value the gradients are those
// of sum(value). A variable given as a scalar gets a 0-d gradient.
func dumpTensors(prob *gradcheck.Problem, prog *compiler.Program, x *exprCheck) map[string]*tensor.Dense {
	out := map[string]*tensor.Dense{}
	if prob.Output != prob.Loss {
		out["value"] = prog.Output(0).(*tensor.Dense).Clone().(*tensor.Dense)
		if x.valueScalar && out["value"].Shape().TotalSize() == 1 {
			out["value"] = scalarLike(out["value"])
		}
	} else if prob.Loss.Dtype() == tensor.Float32 {
		out["value"] = tensor.New(tensor.FromScalar(float32(prog.Loss())))
	} else {
		out["value"] = tensor.New(tensor.FromScalar(prog.Loss()))
	}
	vars := x.params()
	for i, p := range prog.Params() {
		g := p.Grad.Clone().(*tensor.Dense)
		if x.scalars[vars[i]] {
			g = scalarLike(g)
		}
		out["grad."+vars[i]] = g
	}
	return out
}

// compareReference adds one reference row per tensor of ours (value,
// grad.<var>) found in the --reference file; a missing one is an input
// error.
func compareReference(r *gradcheck.Report, o *options, ours map[string]*tensor.Dense) error {
	f, err := safetensors.Read(o.ref)
	if err != nil {
		return usagef("--reference: %v", err)
	}
	for _, n := range slices.Sorted(maps.Keys(ours)) {
		want, ok := f.Tensors[n]
		if !ok {
			return usagef("--reference %s has no tensor %q", o.ref, n)
		}
		row, err := gradcheck.CompareTensor("reference "+n, gradcheck.RowReference, ours[n], want, o.cfg)
		if err != nil {
			return usagef("--reference: %v", err)
		}
		r.AddReference(row)
	}
	return nil
}

// scalarLike turns a one-element tensor into a 0-d one of its dtype.
func scalarLike(t *tensor.Dense) *tensor.Dense {
	switch d := t.Data().(type) {
	case []float32:
		return tensor.New(tensor.FromScalar(d[0]))
	case []float64:
		return tensor.New(tensor.FromScalar(d[0]))
	}
	return t
}

func toFloat32(t *tensor.Dense) *tensor.Dense {
	src := t.Data().([]float64)
	out := make([]float32, len(src))
	for i, v := range src {
		out[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(out))
}

// showPasses prints the compiler's pass report (the rules that fired, the
// forward graph before and after) for the table format, or adds it to the
// report's notes for JSON.
func showPasses(prog *compiler.Program, o *options, r *gradcheck.Report, stdout io.Writer) {
	rep := prog.Passes()
	if o.format == "table" {
		fmt.Fprint(stdout, rep.Text())
		return
	}
	for _, f := range rep.Fired {
		r.Notes = append(r.Notes, fmt.Sprintf("pass %s: %s x%d", f.Phase, f.Rule, f.Count))
	}
	r.Notes = append(r.Notes, "graph before passes:\n"+rep.BeforeText(), "graph after passes:\n"+rep.AfterText())
}
