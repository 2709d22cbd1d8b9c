package gradcheck

import (
	"fmt"
	"time"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// Problem is a function to check, built on a fresh graph: a scalar float
// loss, the parameters it is differentiated with respect to (leaves made
// with compiler.NewParam, values set), and the values to bind to its other
// inputs, by name.
type Problem struct {
	Loss   *G.Node
	Params []*G.Node
	Inputs map[string]*tensor.Dense
	// Output, when set, is the un-reduced value (for example an op's
	// non-scalar output before the sum(y ⊙ r) reduction); it becomes the
	// compiled program's output.
	Output *G.Node
}

// Builder builds a Problem of the given dtype on a fresh graph. Check calls
// it once per graph it needs (the function itself, its float64 twin, the
// order-2 graph); the values of later builds are overwritten with those of
// the first, so a builder need not be deterministic across dtypes.
type Builder func(dt tensor.Dtype) (*Problem, error)

// Check builds the problem and checks it: in float64 directly; in float32
// through a float64 twin (the same function built in float64 with the
// float32 values converted exactly), plus a comparison of the float32 value
// and gradients with the twin's (Float32Atol, Float32Rtol). With Order 2 it
// also checks Hessian-vector products. Failures of the function are
// verdicts in the report; the error is for a bad Config or a nil builder.
func Check(name string, kind Kind, build Builder, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if build == nil {
		return nil, errors.New("gradcheck: nil builder")
	}
	start := time.Now()
	r := newReport(name, kind, cfg)
	defer func() { r.Duration = time.Since(start) }()
	prob, err := buildProblem(build, cfg.Dtype)
	if err != nil {
		return r.fail(errors.Wrapf(err, "building %s", name)), nil
	}
	twin := prob
	if cfg.Dtype != tensor.Float64 {
		r.Twin = true
		if twin, err = twinOf(build, prob); err != nil {
			return r.fail(errors.Wrapf(err, "building the float64 twin of %s", name)), nil
		}
	}
	prog, err := twin.Compile()
	if err != nil {
		return r.fail(err), nil
	}
	defer prog.Close()
	c1 := cfg
	c1.Dtype = tensor.Float64
	sub := newReport(name, kind, c1)
	if err := panics.Call(func() error { return checkProgram(prog, c1, sub) }, "gradcheck"); err != nil {
		sub.fail(err)
	}
	r.Params, r.Notes = sub.Params, append(r.Notes, sub.Notes...)
	r.add(sub.Results...)
	if sub.Error != "" {
		return r.fail(errors.New(sub.Error)), nil
	}
	if r.Twin {
		rows, err := compareFloat32(prob, prog, cfg)
		if err != nil {
			return r.fail(errors.Wrap(err, "float32 vs float64 twin")), nil
		}
		r.add(rows...)
	}
	if cfg.Order == 2 {
		rows, note := checkHVP(build, twin, cfg)
		r.add(rows...)
		if note != "" {
			r.Notes = append(r.Notes, note)
		}
	}
	return r, nil
}

// buildProblem calls build, recovering panics, and checks the result.
func buildProblem(build Builder, dt tensor.Dtype) (prob *Problem, err error) {
	err = panics.Call(func() error {
		prob, err = build(dt)
		return err
	}, "build")
	if err != nil {
		return nil, err
	}
	if prob == nil || prob.Loss == nil || len(prob.Params) == 0 {
		return nil, errors.New("the builder returned no loss or no parameters")
	}
	// A check's graphs are its own: their random masks (dropout) stay
	// frozen, so every run computes the same function.
	ops.FreezeMasks(prob.Loss.Graph(), true)
	return prob, nil
}

// twinOf builds the float64 twin of prob and copies prob's parameter and
// input values into it, converted exactly.
func twinOf(build Builder, prob *Problem) (*Problem, error) {
	twin, err := buildProblem(build, tensor.Float64)
	if err != nil {
		return nil, err
	}
	return twin, copyValues(twin, prob)
}

// copyValues overwrites dst's parameter values and inputs with src's (by
// name), converted to dst's dtypes.
func copyValues(dst, src *Problem) error {
	byName := map[string]*G.Node{}
	for _, n := range src.Params {
		byName[n.Name()] = n
	}
	for _, n := range dst.Params {
		s, ok := byName[n.Name()]
		if !ok {
			return errors.Errorf("param %q has no counterpart", n.Name())
		}
		if err := convertInto(n.Value().(*tensor.Dense), s.Value().(*tensor.Dense)); err != nil {
			return errors.Wrapf(err, "param %q", n.Name())
		}
	}
	inputs := make(map[string]*tensor.Dense, len(src.Inputs))
	for name, v := range src.Inputs {
		if v.Dtype() == tensor.Float32 {
			v = toFloat64(v)
		}
		inputs[name] = v
	}
	dst.Inputs = inputs
	return nil
}

// convertInto copies src into dst (same element count), converting the
// dtype.
func convertInto(dst, src *tensor.Dense) error {
	vals, err := floats64(src)
	if err != nil {
		return err
	}
	switch d := dst.Data().(type) {
	case []float64:
		if len(d) != len(vals) {
			return errors.Errorf("shape %v vs %v", dst.Shape(), src.Shape())
		}
		copy(d, vals)
	case []float32:
		if len(d) != len(vals) {
			return errors.Errorf("shape %v vs %v", dst.Shape(), src.Shape())
		}
		for i, x := range vals {
			d[i] = float32(x)
		}
	default:
		return errors.Errorf("dtype %v is not a float dtype", dst.Dtype())
	}
	return nil
}

// toFloat64 returns a float64 copy of a float tensor.
func toFloat64(t *tensor.Dense) *tensor.Dense {
	vals, _ := floats64(t)
	return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(vals))
}

// Compile compiles the problem with opts, its Output (when set and not the
// loss) as the program's output, and binds its Inputs: the program Check
// runs, and the one a caller runs to see the problem's value and gradients.
func (prob *Problem) Compile(opts ...compiler.Option) (*compiler.Program, error) {
	if prob.Output != nil && prob.Output != prob.Loss {
		opts = append(opts[:len(opts):len(opts)], compiler.WithOutputs(prob.Output)) // not into the caller's array
	}
	prog, err := compiler.Compile(prob.Loss, prob.Params, opts...)
	if err != nil {
		return nil, err
	}
	for name, v := range prob.Inputs {
		if err := prog.Bind(name, v); err != nil {
			prog.Close()
			return nil, err
		}
	}
	return prog, nil
}

// compareFloat32 compiles the float32 problem, runs it once, and compares
// its objective and gradients with the float64 twin's (already run).
func compareFloat32(prob *Problem, twin *compiler.Program, cfg Config) ([]Result, error) {
	prog, err := prob.Compile()
	if err != nil {
		return nil, err
	}
	defer prog.Close()
	if err := prog.RunTrain(); err != nil {
		return nil, err
	}
	if err := twin.RunTrain(); err != nil {
		return nil, err
	}
	c32 := Config{Atol: Float32Atol, Rtol: Float32Rtol}
	val32 := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{prog.Objective()}))
	val64 := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{twin.Objective()}))
	row, err := CompareTensor("value (float32)", RowFloat32, val32, val64, c32)
	if err != nil {
		return nil, err
	}
	rows := []Result{row}
	tw := twin.Params()
	for i, p := range prog.Params() {
		row, err := CompareTensor(fmt.Sprintf("grad %s (float32)", p.Name), RowFloat32, p.Grad, tw[i].Grad, c32)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}
