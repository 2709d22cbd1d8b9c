package gradcheck

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// CheckProgram checks the gradients of a compiled float64 program whose
// inputs are already bound: RunTrain for the analytic gradients, then
// central differences of RunLoss(compiler.Training) with every parameter
// element perturbed in place and restored exactly (Full), or random
// directions (Fast), then RunTrain again, which must give bit-identical
// gradients. Random masks (dropout) are frozen during the check, so the
// loss is a deterministic function of the parameters, and unfrozen after
// it. Only first-order gradients are checked (cfg.Order is ignored:
// use Check with a Builder for order 2). A float32 program is refused: check
// it through a float64 twin with Check, CheckOp or CheckModel.
func CheckProgram(p *compiler.Program, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	cfg.Order = 1
	start := time.Now()
	r := newReport("program", KindProgram, cfg)
	if p == nil {
		return nil, errors.New("gradcheck: nil program")
	}
	if ops.FreezeMasks(p.Graph(), true) > 0 {
		defer ops.FreezeMasks(p.Graph(), false)
	}
	err = panics.Call(func() error { return checkProgram(p, cfg, r) }, "gradcheck")
	if err != nil {
		r.fail(err)
	}
	r.Duration = time.Since(start)
	return r, nil
}

// checker perturbs one program's parameters.
type checker struct {
	p     *compiler.Program
	cfg   Config
	j     judge
	f0    float64 // reference objective at the unperturbed point
	prog0 float64 // the program's objective there (reentrancy is judged on it)
	rng   *rand.Rand
	calls int
}

func checkProgram(p *compiler.Program, cfg Config, r *Report) error {
	params := p.Params()
	for _, pr := range params {
		if pr.Value.Dtype() != tensor.Float64 {
			return errors.Errorf("param %q is %v: gradcheck runs in float64; check a float32 program through its float64 twin (Check, CheckOp, CheckModel with Dtype float32)", pr.Name, pr.Value.Dtype())
		}
		r.Params += pr.Value.Shape().TotalSize()
	}
	if err := p.RunTrain(); err != nil {
		return err
	}
	analytic := make([][]float64, len(params))
	for i, pr := range params {
		analytic[i] = append([]float64(nil), pr.Grad.Data().([]float64)...)
	}
	c := &checker{p: p, cfg: cfg, j: judge{cfg.Atol, cfg.Rtol}, rng: newRNG(cfg.Seed, 1), prog0: p.Objective()}
	var err error
	if c.f0, err = c.f(); err != nil {
		return err
	}
	if fw := c.forwardRow(); fw.Verdict == Fail {
		r.add(fw) // reported only when it fails: reports keep one row per parameter
	}
	rows := make([]Result, len(params))
	for i, pr := range params {
		if rows[i], err = c.checkParam(pr, analytic[i]); err != nil {
			return errors.Wrapf(err, "param %q", pr.Name)
		}
	}
	if err := c.reentrant(params, analytic, rows); err != nil {
		return err
	}
	r.add(rows...)
	return nil
}

// f evaluates the objective at the current parameter values through the
// reference evaluator (Program.ReferenceObjective: the graph given to
// Compile, interpreted op by op), never through the program whose gradient
// is being checked, so that a wrong program cannot confirm itself.
func (c *checker) f() (float64, error) {
	c.calls++
	return c.p.ReferenceObjective(compiler.Training)
}

// forwardRow compares the program's objective with the reference
// evaluation at the unperturbed point: a program whose forward graph
// computes something else than the graph given to Compile fails here even
// where its gradient agrees with its own function.
func (c *checker) forwardRow() Result {
	s := newStats("objective", RowObjective, nil, c.j)
	s.res.Mode = "value"
	s.add(nil, 0, c.prog0, c.f0, math.NaN(), math.NaN())
	r := s.result()
	if r.Verdict == Fail {
		r.Note = fmt.Sprintf("the compiled program computes %.17g where the graph given to Compile gives %.17g", c.prog0, c.f0)
	}
	return r
}

// checkParam checks one parameter in the configured mode.
func (c *checker) checkParam(pr compiler.Param, g []float64) (Result, error) {
	if c.cfg.Mode == Full {
		return c.full(pr, g)
	}
	row, err := c.fast(pr, g)
	if err != nil || row.Verdict != Fail {
		return row, err
	}
	fastRow := row
	if row, err = c.full(pr, g); err != nil {
		return row, err
	}
	row.Mode = "fast+full"
	row.Note = fmt.Sprintf("fast mode failed (%d of %d directions, worst direction %d: analytic %.6g, numeric %.6g); full mode rerun",
		fastRow.Failed, fastRow.Checked, fastRow.Worst.Direction, fastRow.Worst.Analytic, fastRow.Worst.Numeric)
	if row.Verdict != Fail {
		row.Verdict = Fail // the directional failure stands even if no single element shows it
	}
	row.Duration += fastRow.Duration
	return row, nil
}

// full perturbs every element: n_i = (f(x+eps e_i) - f(x-eps e_i)) / 2eps.
func (c *checker) full(pr compiler.Param, g []float64) (Result, error) {
	s := newStats(pr.Name, RowGrad, pr.Value.Shape(), c.j)
	s.res.Mode = "full"
	x := pr.Value.Data().([]float64)
	eps := c.cfg.Eps
	for i := range x {
		orig := x[i]
		x[i] = orig + eps
		fp, err := c.f()
		if err == nil {
			x[i] = orig - eps
			var fm float64
			fm, err = c.f()
			if err == nil {
				s.add(floatdense.Unravel(i, pr.Value.Shape()), 0, g[i], (fp-fm)/(2*eps), (fp-c.f0)/eps, (c.f0-fm)/eps)
			}
		}
		x[i] = orig
		if err != nil {
			return Result{}, errors.Wrapf(err, "element %v", floatdense.Unravel(i, pr.Value.Shape()))
		}
	}
	return s.result(), nil
}

// fast compares <g, v> with (f(x+eps v) - f(x-eps v)) / 2eps for random
// unit directions v.
func (c *checker) fast(pr compiler.Param, g []float64) (Result, error) {
	s := newStats(pr.Name, RowGrad, pr.Value.Shape(), c.j)
	s.res.Mode = "fast"
	x := pr.Value.Data().([]float64)
	orig := append([]float64(nil), x...)
	defer copy(x, orig)
	eps := c.cfg.Eps
	for k := 1; k <= c.cfg.Directions; k++ {
		v := unitDirection(c.rng, len(x))
		a := 0.0
		for i := range v {
			a += g[i] * v[i]
		}
		fp, err := c.at(x, orig, v, eps)
		if err != nil {
			return Result{}, err
		}
		fm, err := c.at(x, orig, v, -eps)
		if err != nil {
			return Result{}, err
		}
		s.add(nil, k, a, (fp-fm)/(2*eps), (fp-c.f0)/eps, (c.f0-fm)/eps)
	}
	return s.result(), nil
}

// at evaluates f at orig + h v, written into x.
func (c *checker) at(x, orig, v []float64, h float64) (float64, error) {
	for i := range x {
		x[i] = orig[i] + h*v[i]
	}
	f, err := c.f()
	copy(x, orig)
	return f, err
}

// reentrant runs RunTrain again and requires bit-identical gradients and
// objective; a difference fails the parameter's row with a note.
func (c *checker) reentrant(params []compiler.Param, analytic [][]float64, rows []Result) error {
	if err := c.p.RunTrain(); err != nil {
		return errors.Wrap(err, "second training run")
	}
	if f := c.p.Objective(); math.Float64bits(f) != math.Float64bits(c.prog0) {
		if len(rows) > 0 {
			rows[0].Verdict = Fail
			rows[0].Note = fmt.Sprintf("objective changed between runs: %v then %v (a perturbation was not restored, or a VM keeps state)", c.prog0, f)
		}
	}
	for i, pr := range params {
		now := pr.Grad.Data().([]float64)
		for k := range now {
			if math.Float64bits(now[k]) != math.Float64bits(analytic[i][k]) {
				rows[i].Verdict = Fail
				rows[i].Note = fmt.Sprintf("RunTrain is not reentrant: element %v was %v in the first run, %v in the second",
					floatdense.Unravel(k, pr.Value.Shape()), analytic[i][k], now[k])
				break
			}
		}
	}
	return nil
}

// unitDirection draws a random unit vector of n elements.
func unitDirection(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	norm := 0.0
	for norm == 0 {
		for i := range v {
			v[i] = rng.NormFloat64()
			norm += v[i] * v[i]
		}
	}
	norm = math.Sqrt(norm)
	for i := range v {
		v[i] /= norm
	}
	return v
}

// newRNG returns a PCG generator for seed and a stream number, so that the
// inputs, upstream gradients and directions of one seed are independent.
func newRNG(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream*0x9e3779b97f4a7c15+1))
}
