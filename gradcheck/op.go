package gradcheck

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// CheckOp checks a registered op on its registry example: differentiable
// inputs become parameters with seeded values drawn from their Domain
// (keeping Margin away from the Avoid points), Classes inputs become int64
// inputs bound with seeded classes, NoGrad inputs float inputs; a
// non-scalar output y is reduced to sum(y ⊙ r) with a seeded random
// upstream gradient r (not all ones, which would hide transposition bugs).
// With Order 2 and spec.TwiceDifferentiable false, the H v check is skipped
// with the verdict NotTwiceDifferentiable. An op whose registry entry
// records a reference version gets CheckReference's rows as well.
func CheckOp(spec *ops.Spec, cfg Config) (*Report, error) {
	if spec == nil {
		return nil, errors.New("gradcheck: nil op spec")
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if !slices.Contains(spec.Dtypes, c.Dtype) {
		r := newReport(spec.Name, KindOp, c)
		return r.fail(errors.Errorf("op %s does not support %v (dtypes %v)", spec.Name, c.Dtype, spec.Dtypes)), nil
	}
	if spec.NotDifferentiable {
		return checkForwardOnly(spec, c), nil
	}
	skip2 := c.Order == 2 && !spec.TwiceDifferentiable
	if skip2 {
		cfg.Order = 1
	}
	r, err := Check(spec.Name, KindOp, OpBuilder(spec, c.Seed), cfg)
	if err != nil {
		return r, err
	}
	if r.Error == "" {
		rows, err := CheckReference(spec, cfg)
		if err != nil {
			return r.fail(err), nil
		}
		r.add(rows...)
	}
	if !skip2 {
		return r, nil
	}
	r.Order = 2
	r.add(Result{Name: "H·v", Row: RowHVP, Verdict: NotTwiceDifferentiable,
		Note: "the registry declares " + spec.Name + " not twice differentiable"})
	return r, nil
}

// checkForwardOnly runs the forward pass of an op the registry declares not
// differentiable (argmax): one RowForward row, passing when the output has
// its inferred shape and dtype.
func checkForwardOnly(spec *ops.Spec, c Config) (r *Report) {
	r = newReport(spec.Name, KindOp, c)
	r.Order = 0
	start := time.Now()
	err := panics.Call(func() error {
		g := G.NewGraph()
		rng := newRNG(c.Seed, 2)
		prob := &Problem{Inputs: map[string]*tensor.Dense{}}
		nodes := make([]*G.Node, len(spec.Example.Inputs))
		for i, in := range spec.Example.Inputs {
			in.NoGrad = in.Classes == 0
			n, err := opInput(g, in, c.Dtype, rng, prob)
			if err != nil {
				return errors.Wrapf(err, "input %q", in.Name)
			}
			if err := G.Let(n, prob.Inputs[in.Name]); err != nil {
				return err
			}
			nodes[i] = n
		}
		out, err := spec.Apply(nodes, spec.Example.Params)
		if err != nil {
			return err
		}
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			return err
		}
		v := out.Value()
		if v == nil || !v.Shape().Eq(out.Shape()) || v.Dtype() != out.Dtype() {
			return errors.Errorf("output %v, want %v %v", v, out.Dtype(), out.Shape())
		}
		r.add(Result{Name: spec.Name, Row: RowForward, Shape: out.Shape().Clone(), Checked: out.Shape().TotalSize(),
			Verdict: Pass, Duration: time.Since(start),
			Note: "the registry declares " + spec.Name + " not differentiable: forward pass only (" + out.Dtype().String() + " output)"})
		return nil
	}, "op %s", spec.Name)
	if err != nil {
		return r.fail(errors.Wrapf(err, "op %s", spec.Name))
	}
	r.Duration = time.Since(start)
	return r
}

// OpBuilder returns the Builder CheckOp uses for spec's example, with every
// random value drawn from seed.
func OpBuilder(spec *ops.Spec, seed uint64) Builder {
	return func(dt tensor.Dtype) (*Problem, error) {
		g := G.NewGraph()
		rng := newRNG(seed, 2)
		prob := &Problem{Inputs: map[string]*tensor.Dense{}}
		nodes := make([]*G.Node, len(spec.Example.Inputs))
		for i, in := range spec.Example.Inputs {
			n, err := opInput(g, in, dt, rng, prob)
			if err != nil {
				return nil, errors.Wrapf(err, "op %s: input %q", spec.Name, in.Name)
			}
			nodes[i] = n
		}
		if len(prob.Params) == 0 {
			return nil, errors.Errorf("op %s: the example has no differentiable input", spec.Name)
		}
		out, err := spec.Apply(nodes, spec.Example.Params)
		if err != nil {
			return nil, errors.Wrapf(err, "op %s", spec.Name)
		}
		prob.Output = out
		if prob.Loss, err = reduceWithUpstream(g, out, rng); err != nil {
			return nil, errors.Wrapf(err, "op %s: output %v", spec.Name, out.Shape())
		}
		return prob, nil
	}
}

// opInput adds one example input to g and records it in prob.
func opInput(g *G.ExprGraph, in ops.Input, dt tensor.Dtype, rng *rand.Rand, prob *Problem) (*G.Node, error) {
	switch {
	case in.Classes > 0:
		n, err := compiler.NewInput(g, in.Name, tensor.Int64, in.Shape...)
		if err != nil {
			return nil, err
		}
		prob.Inputs[in.Name] = Classes(rng, in.Classes, in.Shape...)
		return n, nil
	case in.NoGrad:
		v, err := DrawDomain(rng, in.Domain, dt, in.Shape...)
		if err != nil {
			return nil, err
		}
		n, err := compiler.NewInput(g, in.Name, dt, in.Shape...)
		prob.Inputs[in.Name] = v
		return n, err
	}
	v, err := DrawDomain(rng, in.Domain, dt, in.Shape...)
	if err != nil {
		return nil, err
	}
	n, err := compiler.NewParam(g, in.Name, v)
	if err != nil {
		return nil, err
	}
	prob.Params = append(prob.Params, n)
	return n, nil
}

// reduceWithUpstream returns y itself when it is a scalar, else sum(y ⊙ r)
// with r a seeded random constant of y's shape: the gradient flowing into y
// is then r, not ones.
func reduceWithUpstream(g *G.ExprGraph, y *G.Node, rng *rand.Rand) (*G.Node, error) {
	if y.IsScalar() {
		return y, nil
	}
	if y.Dtype() != tensor.Float64 && y.Dtype() != tensor.Float32 {
		return nil, errors.Errorf("output dtype %v is not a float dtype", y.Dtype())
	}
	r := tensor.New(tensor.Of(y.Dtype()), tensor.WithShape(y.Shape().Clone()...))
	floatdense.Fill(r.Data(), func() float64 {
		v := 0.5 + rng.Float64() // in [0.5, 1.5): away from 0, never all ones
		if rng.IntN(2) == 0 {
			return -v
		}
		return v
	})
	rn, err := compiler.Constant(g, r)
	if err != nil {
		return nil, err
	}
	prod, err := G.HadamardProd(y, rn)
	if err != nil {
		return nil, err
	}
	return G.Sum(prod)
}

// DrawDomain draws a tensor of dtype dt and the given shape with elements
// uniform in [d.Min, d.Max], each at least d.Margin away from every point of
// d.Avoid (rejection sampling; an error when the domain leaves no room).
func DrawDomain(rng *rand.Rand, d ops.Domain, dt tensor.Dtype, shape ...int) (*tensor.Dense, error) {
	if !(d.Max > d.Min) {
		return nil, errors.Errorf("domain [%g, %g] is empty", d.Min, d.Max)
	}
	if rng == nil {
		return nil, errors.New("gradcheck: DrawDomain: nil rng")
	}
	n, err := shapeSize(shape)
	if err != nil {
		return nil, errors.Wrap(err, "gradcheck: DrawDomain")
	}
	vals := make([]float64, n)
	for i := range vals {
		ok := false
		for try := 0; try < 1000 && !ok; try++ {
			vals[i] = d.Min + rng.Float64()*(d.Max-d.Min)
			ok = true
			for _, a := range d.Avoid {
				if math.Abs(vals[i]-a) < d.Margin {
					ok = false
				}
			}
		}
		if !ok {
			return nil, errors.Errorf("domain [%g, %g] avoiding %v by %g leaves no room", d.Min, d.Max, d.Avoid, d.Margin)
		}
	}
	t := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	return t, convertInto(t, tensor.New(tensor.WithShape(len(vals)), tensor.WithBacking(vals)))
}

// Classes returns an int64 tensor of the given shape with elements uniform
// in [0, k).
func Classes(rng *rand.Rand, k int, shape ...int) *tensor.Dense {
	vals := make([]int64, tensor.Shape(shape).TotalSize())
	for i := range vals {
		vals[i] = int64(rng.IntN(k))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
}

// Normal returns a tensor of dtype dt with N(0, 1) elements.
func Normal(rng *rand.Rand, dt tensor.Dtype, shape ...int) *tensor.Dense {
	vals := make([]float64, tensor.Shape(shape).TotalSize())
	for i := range vals {
		vals[i] = rng.NormFloat64()
	}
	t := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	_ = convertInto(t, tensor.New(tensor.WithShape(len(vals)), tensor.WithBacking(vals)))
	return t
}

// UpstreamSum reduces y to a scalar as CheckOp does: y itself when it is a
// scalar, else sum(y ⊙ r) with r a constant of y's shape whose elements are
// drawn from seed, of magnitude in [0.5, 1.5) and random sign. The gradient
// flowing into y is then r, never all ones.
func UpstreamSum(y *G.Node, seed uint64) (*G.Node, error) {
	if y == nil || y.Graph() == nil {
		return nil, errors.New("gradcheck: UpstreamSum needs a node of a graph")
	}
	return reduceWithUpstream(y.Graph(), y, newRNG(seed, 5))
}

// maxDraw bounds the elements DrawDomain draws (2^40), so that a shape
// such as [2^62, 4] is an error, not an overflowed size.
const maxDraw = 1 << 40

// shapeSize is the number of elements of shape: every dimension at least
// 1 (a 0-d shape has one element) and the product at most maxDraw.
func shapeSize(shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 1 {
			return 0, errors.Errorf("shape %v: dimension %d must be positive", shape, d)
		}
		if n > maxDraw/d {
			return 0, errors.Errorf("shape %v: more than %d elements", shape, maxDraw)
		}
		n *= d
	}
	return n, nil
}
