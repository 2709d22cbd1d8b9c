package ops_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

// A small gradient checker, independent of the gradcheck package: it
// compares the symbolic gradient of sum(op(x) ⊙ r), r a seeded random
// upstream gradient, with central differences.

const (
	checkEps  = 1e-6
	checkAtol = 1e-5
	checkRtol = 1e-3
)

// builder applies the op under test to its input nodes.
type builder func(g *G.ExprGraph, nodes []*G.Node) (*G.Node, error)

// specBuilder applies a registered op with its example params.
func specBuilder(s *ops.Spec) builder {
	return func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return s.Apply(n, s.Example.Params) }
}

// caseData is the drawn input values of one check, in float64 (class
// inputs hold integers).
type caseData struct {
	inputs []ops.Input
	values [][]float64
	upSeed uint64
}

// drawCase draws input values inside each input's domain.
func drawCase(inputs []ops.Input, seed uint64) caseData {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	c := caseData{inputs: inputs, upSeed: seed + 1}
	for _, in := range inputs {
		n := tensor.Shape(in.Shape).TotalSize()
		v := make([]float64, n)
		for i := range v {
			if in.Classes > 0 {
				v[i] = float64(rng.IntN(in.Classes))
				continue
			}
			v[i] = drawIn(rng, in.Domain)
		}
		c.values = append(c.values, v)
	}
	return c
}

func drawIn(rng *rand.Rand, d ops.Domain) float64 {
	for {
		x := d.Min + (d.Max-d.Min)*rng.Float64()
		ok := true
		for _, a := range d.Avoid {
			if math.Abs(x-a) < d.Margin {
				ok = false
			}
		}
		if ok {
			return x
		}
	}
}

// built is a compiled check graph.
type built struct {
	prog   *compiler.Program
	params []*G.Node
	out    *G.Node
}

// args is the case's inputs as direct-graph args: class inputs are int64
// inputs, NoGrad ones float inputs, the others params.
func (c caseData) args() []arg {
	out := make([]arg, len(c.inputs))
	for i, in := range c.inputs {
		out[i] = arg{name: in.Name, shape: in.Shape, values: c.values[i], param: in.Classes == 0 && !in.NoGrad, ints: in.Classes > 0}
	}
	return out
}

// buildCheck builds sum(op(inputs) ⊙ r) in dtype dt and compiles it with
// the differentiable inputs as params.
func buildCheck(c caseData, b builder, dt tensor.Dtype, prepare func(*G.ExprGraph)) (*built, error) {
	g := G.NewGraph()
	l, err := newLeaves(g, dt, c.args())
	if err != nil {
		return nil, err
	}
	out, err := b(g, l.nodes)
	if err != nil {
		return nil, errors.Wrap(err, "building the op")
	}
	loss, err := weightedSum(g, out, c.upSeed)
	if err != nil {
		return nil, err
	}
	if prepare != nil {
		prepare(g)
	}
	prog, err := l.compile(loss)
	if err != nil {
		return nil, err
	}
	return &built{prog: prog, params: l.params, out: out}, nil
}

// weightedSum is sum(out ⊙ r), r drawn from [-1, 1] with seed.
func weightedSum(g *G.ExprGraph, out *G.Node, seed uint64) (*G.Node, error) {
	rng := rand.New(rand.NewPCG(seed, 0x0b5e))
	n := out.Shape().TotalSize()
	r := make([]float64, n)
	for i := range r {
		r[i] = 2*rng.Float64() - 1
	}
	if out.IsScalar() {
		return G.Mul(out, scalarOf(g, r[0], out.Dtype()))
	}
	rc, err := compiler.Constant(g, denseOf(r, out.Shape(), out.Dtype()))
	if err != nil {
		return nil, err
	}
	p, err := G.HadamardProd(out, rc)
	if err != nil {
		return nil, err
	}
	return G.Sum(p)
}

// gradResult holds the loss of a check, its symbolic gradients and the
// op's output (when it is a tensor).
type gradResult struct {
	loss  float64
	grads [][]float64
	out   []float64
}

func (b *built) run() (gradResult, error) {
	if err := b.prog.RunTrain(); err != nil {
		return gradResult{}, err
	}
	res := gradResult{loss: b.prog.Loss()}
	for _, p := range b.prog.Params() {
		res.grads = append(res.grads, asFloat64s(p.Grad))
	}
	if v, ok := b.out.Value().(*tensor.Dense); ok {
		res.out = asFloat64s(v)
	}
	return res, nil
}

// runBoth runs builders a and b on one case in float64, for comparing an
// op with its reference.
func runBoth(t *testing.T, c caseData, a, b builder) [2]gradResult {
	t.Helper()
	var res [2]gradResult
	for k, bld := range []builder{a, b} {
		bt, err := buildCheck(c, bld, tensor.Float64, nil)
		if err != nil {
			t.Fatal(err)
		}
		res[k], err = bt.run()
		bt.prog.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return res
}

// compareBuilders checks that two builders give the same loss and
// gradients on one case, to 1e-12 absolute.
func compareBuilders(t *testing.T, c caseData, a, b builder) {
	t.Helper()
	res := runBoth(t, c, a, b)
	if math.Abs(res[0].loss-res[1].loss) > 1e-12 {
		t.Errorf("loss %g, reference %g", res[0].loss, res[1].loss)
	}
	for i := range res[0].grads {
		for j := range res[0].grads[i] {
			if d := math.Abs(res[0].grads[i][j] - res[1].grads[i][j]); d > 1e-12 {
				t.Errorf("grad[%d][%d] %g, reference %g", i, j, res[0].grads[i][j], res[1].grads[i][j])
			}
		}
	}
}

// sameRun compares two builders on one drawn case: output values, loss
// and every gradient to tol (relative to max(1, |reference|)).
func sameRun(t *testing.T, c caseData, want, got builder, tol float64) {
	t.Helper()
	res := runBoth(t, c, want, got)
	near := func(what string, a, b float64) {
		if math.Abs(a-b) > tol*math.Max(1, math.Abs(a)) || math.IsNaN(b) {
			t.Errorf("%s: fused %v, reference %v", what, b, a)
		}
	}
	near("loss", res[0].loss, res[1].loss)
	if len(res[0].out) == 0 || len(res[0].out) != len(res[1].out) {
		t.Fatalf("outputs have %d and %d elements", len(res[0].out), len(res[1].out))
	}
	for i := range res[0].out {
		near(fmt.Sprintf("y[%d]", i), res[0].out[i], res[1].out[i])
	}
	for i := range res[0].grads {
		for j := range res[0].grads[i] {
			near(fmt.Sprintf("grad %d [%d]", i, j), res[0].grads[i][j], res[1].grads[i][j])
		}
	}
}

// numericCheck compares b's symbolic gradients (float64) with central
// differences.
func numericCheck(b *built) error {
	sym, err := b.run()
	if err != nil {
		return errors.Wrap(err, "training run")
	}
	for pi, p := range b.prog.Params() {
		v := p.Value.Float64s()
		for i := range v {
			orig := v[i]
			v[i] = orig + checkEps
			lp, err := lossAt(b.prog)
			if err != nil {
				return err
			}
			v[i] = orig - checkEps
			lm, err := lossAt(b.prog)
			if err != nil {
				return err
			}
			v[i] = orig
			num := (lp - lm) / (2 * checkEps)
			a := sym.grads[pi][i]
			if math.IsNaN(a) || math.Abs(a-num) > checkAtol+checkRtol*math.Abs(num) {
				return fmt.Errorf("d/d%s[%d]: symbolic %.9g, numeric %.9g", p.Name, i, a, num)
			}
		}
	}
	return nil
}

func lossAt(p *compiler.Program) (float64, error) {
	if err := p.RunLoss(compiler.Training); err != nil {
		return 0, err
	}
	return p.Loss(), nil
}

// checkGradient builds the case in float64 and checks it numerically.
func checkGradient(c caseData, b builder, prepare func(*G.ExprGraph)) error {
	bt, err := buildCheck(c, b, tensor.Float64, prepare)
	if err != nil {
		return err
	}
	defer bt.prog.Close()
	return numericCheck(bt)
}

// checkFloat32 runs the case in float32 and compares loss and gradients
// with the float64 twin.
func checkFloat32(c caseData, b builder, prepare func(*G.ExprGraph)) error {
	b64, err := buildCheck(c, b, tensor.Float64, prepare)
	if err != nil {
		return err
	}
	defer b64.prog.Close()
	b32, err := buildCheck(c, b, tensor.Float32, prepare)
	if err != nil {
		return errors.Wrap(err, "float32")
	}
	defer b32.prog.Close()
	if b32.out.Dtype() != tensor.Float32 {
		return fmt.Errorf("float32 inputs gave a %v output", b32.out.Dtype())
	}
	r64, err := b64.run()
	if err != nil {
		return err
	}
	r32, err := b32.run()
	if err != nil {
		return errors.Wrap(err, "float32 run")
	}
	if !close32(r32.loss, r64.loss) {
		return fmt.Errorf("float32 loss %g, float64 loss %g", r32.loss, r64.loss)
	}
	for i := range r64.grads {
		for j := range r64.grads[i] {
			if !close32(r32.grads[i][j], r64.grads[i][j]) {
				return fmt.Errorf("float32 grad[%d][%d] %g, float64 %g", i, j, r32.grads[i][j], r64.grads[i][j])
			}
		}
	}
	return nil
}

func close32(a, b float64) bool { return math.Abs(a-b) <= 1e-3+1e-3*math.Abs(b) }

// freezeMasks fixes the random masks of a graph (dropout).
func freezeMasks(g *G.ExprGraph) { ops.FreezeMasks(g, true) }
