package gradcheck

import (
	"math"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
)

// stats accumulates element comparisons into a Result.
type stats struct {
	j          judge
	res        Result
	worstRatio float64
	start      time.Time
}

func newStats(name, row string, shape []int, j judge) *stats {
	return &stats{j: j, res: Result{Name: name, Row: row, Shape: append([]int(nil), shape...)}, worstRatio: -1, start: time.Now()}
}

// add compares analytic a with numeric n for element idx (or direction
// dir > 0). fwd and bwd are the one-sided differences, NaN when unknown.
func (s *stats) add(idx []int, dir int, a, n, fwd, bwd float64) {
	s.res.Checked++
	if s.isKink(a, fwd, bwd) {
		s.res.Kinks++
		return
	}
	if !s.j.ok(a, n) {
		s.res.Failed++
	}
	d := math.Abs(a - n)
	if math.IsNaN(d) {
		d = math.Inf(1)
	}
	s.res.MaxAbsErr = Float(math.Max(float64(s.res.MaxAbsErr), d))
	s.res.MaxRelErr = Float(math.Max(float64(s.res.MaxRelErr), s.j.relErr(a, n)))
	if r := s.j.ratio(a, n); r > s.worstRatio {
		s.worstRatio = r
		s.res.Worst = &Worst{Index: append([]int(nil), idx...), Direction: dir, Analytic: Float(a), Numeric: Float(n)}
	}
}

// isKink: the one-sided differences disagree beyond tolerance, and a lies
// between them (within tolerance): a subgradient at a kink. Such an element
// is a kink whether or not it passes the central-difference test (|x| at 0
// passes it, ReLU at 0 does not).
func (s *stats) isKink(a, fwd, bwd float64) bool {
	if math.IsNaN(fwd) || math.IsNaN(bwd) {
		return false
	}
	tol := s.j.atol + s.j.rtol*math.Max(math.Abs(fwd), math.Abs(bwd))
	lo, hi := math.Min(fwd, bwd), math.Max(fwd, bwd)
	return hi-lo > tol && a >= lo-tol && a <= hi+tol
}

// result closes the row with its verdict and duration.
func (s *stats) result() Result {
	r := s.res
	r.Duration = time.Since(s.start)
	switch {
	case r.Failed > 0:
		r.Verdict = Fail
	case r.Kinks > 0:
		r.Verdict = KinkOnly
	default:
		r.Verdict = Pass
	}
	return r
}

// CompareTensor compares got with want elementwise under the rule
// |got - want| <= atol + rtol |want| (atol, rtol from cfg, defaults when
// zero) and returns a row of kind row (RowReference for a comparison with
// another framework). Both tensors are converted to float64; their shapes
// must hold the same number of elements.
func CompareTensor(name, row string, got, want tensor.Tensor, cfg Config) (Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Result{}, err
	}
	g, err := floats64(got)
	if err != nil {
		return Result{}, errors.Wrapf(err, "compare %s", name)
	}
	w, err := floats64(want)
	if err != nil {
		return Result{}, errors.Wrapf(err, "compare %s", name)
	}
	if len(g) != len(w) {
		return Result{}, errors.Errorf("compare %s: shape %v vs reference shape %v", name, got.Shape(), want.Shape())
	}
	s := newStats(name, row, got.Shape(), judge{cfg.Atol, cfg.Rtol})
	s.res.Mode = "full"
	for i := range g {
		s.add(floatdense.Unravel(i, got.Shape()), 0, g[i], w[i], math.NaN(), math.NaN())
	}
	return s.result(), nil
}

// floats64 returns t's elements as float64 (a copy), scalars included.
func floats64(t tensor.Tensor) ([]float64, error) {
	if t == nil {
		return nil, errors.New("nil tensor")
	}
	switch d := t.Data().(type) {
	case []float64:
		return append([]float64(nil), d...), nil
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out, nil
	case float64:
		return []float64{d}, nil
	case float32:
		return []float64{float64(d)}, nil
	}
	return nil, errors.Errorf("dtype %v is not a float dtype", t.Dtype())
}
