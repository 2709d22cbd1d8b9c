package gradcheck

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// CheckReference compares a fused op with the reference version its
// registry entry records (ops.Spec.Reference: the same function built from
// Gorgonia's own ops). Both are built on the op's example with the same
// seeded inputs and upstream gradient (OpBuilder), compiled without
// rewrites (the fuse pass would turn the reference back into the op), run
// once in cfg's dtype, and compared: the output, then each differentiable
// input's gradient, one RowReference row each, within Atol + Rtol·|ref|
// (Float32Atol and Float32Rtol in float32). An op without a reference has
// no rows.
func CheckReference(spec *ops.Spec, cfg Config) ([]Result, error) {
	if spec == nil {
		return nil, errors.New("gradcheck: nil op spec")
	}
	if spec.Reference == nil || spec.NotDifferentiable {
		return nil, nil
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if c.Dtype == tensor.Float32 {
		c.Atol, c.Rtol = Float32Atol, Float32Rtol
	}
	ref := *spec
	ref.Build = spec.Reference
	var rows []Result
	err = panics.Call(func() error {
		got, err := runOnce(OpBuilder(spec, c.Seed), c.Dtype)
		if err != nil {
			return errors.Wrapf(err, "op %s", spec.Name)
		}
		want, err := runOnce(OpBuilder(&ref, c.Seed), c.Dtype)
		if err != nil {
			return errors.Wrapf(err, "op %s: reference (%s)", spec.Name, spec.ReferenceOf)
		}
		if len(got.grads) != len(want.grads) {
			return errors.Errorf("op %s: %d gradients, the reference %d", spec.Name, len(got.grads), len(want.grads))
		}
		wants := append([]tensor.Tensor{want.out}, want.grads...)
		for i, g := range append([]tensor.Tensor{got.out}, got.grads...) {
			name := "ref " + spec.Name
			if i > 0 {
				name = "ref ∂/∂" + got.names[i-1]
			}
			row, err := CompareTensor(name, RowReference, g, wants[i], c)
			if err != nil {
				return err
			}
			if i == 0 {
				row.Note = "the op and its gradients vs its reference version, " + spec.ReferenceOf
			}
			rows = append(rows, row)
		}
		return nil
	}, "reference check of %s", spec.Name)
	return rows, err
}

// ran is one run's output and parameter gradients (copies), by param name.
type ran struct {
	out   tensor.Tensor
	names []string
	grads []tensor.Tensor
}

// runOnce builds a problem, compiles it without rewrites and runs it once.
func runOnce(build Builder, dt tensor.Dtype) (*ran, error) {
	prob, err := buildProblem(build, dt)
	if err != nil {
		return nil, err
	}
	scalar := prob.Output == nil || prob.Output == prob.Loss
	prog, err := prob.Compile(compiler.WithPasses(false))
	if err != nil {
		return nil, err
	}
	defer prog.Close()
	if err := prog.RunTrain(); err != nil {
		return nil, err
	}
	r := &ran{}
	if scalar {
		r.out = tensor.New(tensor.FromScalar(prog.Loss()))
	} else {
		r.out = prog.Output(0).(tensor.Tensor).Clone().(tensor.Tensor)
	}
	for _, p := range prog.Params() {
		r.names = append(r.names, p.Name)
		r.grads = append(r.grads, p.Grad.Clone().(tensor.Tensor))
	}
	return r, nil
}
