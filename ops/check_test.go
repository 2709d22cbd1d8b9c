package ops_test

import (
	"fmt"
	"math"
	"math/rand/v2"

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

// buildCheck builds sum(op(inputs) ⊙ r) in dtype dt and compiles it with
// the differentiable inputs as params.
func buildCheck(c caseData, b builder, dt tensor.Dtype, prepare func(*G.ExprGraph)) (*built, error) {
	g := G.NewGraph()
	var nodes, params []*G.Node
	binds := map[string]*tensor.Dense{}
	for i, in := range c.inputs {
		switch {
		case in.Classes > 0:
			v := make([]int64, len(c.values[i]))
			for j, x := range c.values[i] {
				v[j] = int64(x)
			}
			n, err := compiler.NewInput(g, in.Name, tensor.Int64, in.Shape...)
			if err != nil {
				return nil, err
			}
			binds[in.Name] = tensor.New(tensor.WithShape(in.Shape...), tensor.WithBacking(v))
			nodes = append(nodes, n)
		case in.NoGrad:
			n, err := compiler.NewInput(g, in.Name, dt, in.Shape...)
			if err != nil {
				return nil, err
			}
			binds[in.Name] = denseOf(c.values[i], in.Shape, dt)
			nodes = append(nodes, n)
		default:
			n, err := compiler.NewParam(g, in.Name, denseOf(c.values[i], in.Shape, dt))
			if err != nil {
				return nil, err
			}
			nodes, params = append(nodes, n), append(params, n)
		}
	}
	out, err := b(g, nodes)
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
	prog, err := compiler.Compile(loss, params)
	if err != nil {
		return nil, err
	}
	for name, v := range binds {
		if err := prog.Bind(name, v); err != nil {
			return nil, err
		}
	}
	return &built{prog: prog, params: params, out: out}, nil
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
		var rc *G.Node
		if out.Dtype() == tensor.Float32 {
			rc = compiler.MustConstant(g, float32(r[0]))
		} else {
			rc = compiler.MustConstant(g, r[0])
		}
		return G.Mul(out, rc)
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

func denseOf(v []float64, shape []int, dt tensor.Dtype) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

// gradResult holds the symbolic gradients of a check and the loss.
type gradResult struct {
	loss  float64
	grads [][]float64
}

func (b *built) run() (gradResult, error) {
	if err := b.prog.RunTrain(); err != nil {
		return gradResult{}, err
	}
	res := gradResult{loss: b.prog.Loss()}
	for _, p := range b.prog.Params() {
		res.grads = append(res.grads, asFloat64s(p.Grad))
	}
	return res, nil
}

func asFloat64s(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	}
	return nil
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
