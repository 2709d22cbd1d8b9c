package gradcheck

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// Verdict is the outcome of one check or one row of it.
type Verdict string

// The verdicts, from best to worst. A check's verdict is its worst row's.
const (
	Pass     Verdict = "pass"      // every element within tolerance
	KinkOnly Verdict = "kink-only" // no failure, but some elements sit on kinks
	// NotTwiceDifferentiable: an order-2 check whose gradient could not be
	// differentiated again (Gorgonia error or panic, or the registry says so).
	NotTwiceDifferentiable Verdict = "not-twice-differentiable"
	Fail                   Verdict = "fail"  // some element outside tolerance
	Error                  Verdict = "error" // the check could not run
)

// OK reports whether the verdict is not a failure: pass, kink-only and
// not-twice-differentiable are OK; fail and error are not.
func (v Verdict) OK() bool { return v == Pass || v == KinkOnly || v == NotTwiceDifferentiable }

func (v Verdict) rank() int {
	switch v {
	case Pass:
		return 0
	case KinkOnly:
		return 1
	case NotTwiceDifferentiable:
		return 2
	case Fail:
		return 3
	}
	return 4
}

// worse returns the worse of two verdicts.
func worse(a, b Verdict) Verdict {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Kind says what was checked.
type Kind string

// The kinds of checks.
const (
	KindOp      Kind = "op"
	KindModel   Kind = "model"
	KindExpr    Kind = "expr"
	KindProgram Kind = "program"
)

// Row kinds: what a Result compares.
const (
	RowGrad      = "grad"      // analytic vs numeric gradient of a parameter
	RowHVP       = "hvp"       // symbolic vs numeric Hessian-vector product
	RowFloat32   = "float32"   // float32 function vs its float64 twin
	RowReference = "reference" // our value or gradient vs another framework's
	RowForward   = "forward"   // forward pass only: an op with no gradient (argmax)
	RowObjective = "objective" // the program's objective vs the reference evaluation of the graph given to Compile
)

// Float is a float64 that encodes NaN and ±Inf in JSON as the strings
// "NaN", "+Inf" and "-Inf" (encoding/json rejects them as numbers).
type Float float64

// MarshalJSON encodes f as a number, or a string when it is not finite.
func (f Float) MarshalJSON() ([]byte, error) {
	x := float64(f)
	switch {
	case math.IsNaN(x):
		return []byte(`"NaN"`), nil
	case math.IsInf(x, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(x, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (f *Float) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		x, err := strconv.ParseFloat(s, 64)
		*f = Float(x)
		return err
	}
	var x float64
	err := json.Unmarshal(b, &x)
	*f = Float(x)
	return err
}

// Worst is the element (or direction) with the largest tolerance ratio
// |a - n| / (atol + rtol |n|) among the elements that are not kinks.
type Worst struct {
	Index     []int `json:"index,omitempty"`     // row-major coordinates of the element
	Direction int   `json:"direction,omitempty"` // 1-based random direction (fast mode, H v), 0 for an element
	Analytic  Float `json:"analytic"`
	Numeric   Float `json:"numeric"` // or the reference / float64 twin value
}

// Result is one row of a report: one parameter (or input, or tensor)
// compared elementwise.
type Result struct {
	Name      string        `json:"name"`
	Row       string        `json:"row"` // RowGrad, RowHVP, RowFloat32, RowReference
	Shape     []int         `json:"shape"`
	Mode      string        `json:"mode,omitempty"` // "full", "fast", "fast+full" (fast failed, full rerun)
	Checked   int           `json:"checked"`        // elements (or directions) compared
	Failed    int           `json:"failed"`
	Kinks     int           `json:"kinks"`
	MaxAbsErr Float         `json:"max_abs_err"` // max |a - n| over non-kink elements
	MaxRelErr Float         `json:"max_rel_err"` // max |a - n| / max(|a|, |n|) over elements with max(|a|, |n|) > atol
	Worst     *Worst        `json:"worst,omitempty"`
	Verdict   Verdict       `json:"verdict"`
	Note      string        `json:"note,omitempty"`
	Duration  time.Duration `json:"duration_ns"`
}

// Report is the outcome of one check: a function (op, model, expression or
// program), how it was checked, one Result per parameter and comparison,
// and the overall verdict.
type Report struct {
	Name     string        `json:"name"`
	Kind     Kind          `json:"kind"`
	Dtype    string        `json:"dtype"`
	Twin     bool          `json:"float64_twin"` // checked through a float64 twin
	Mode     Mode          `json:"mode"`
	Order    int           `json:"order"`
	Eps      float64       `json:"eps"`
	Atol     float64       `json:"atol"`
	Rtol     float64       `json:"rtol"`
	Seed     uint64        `json:"seed"`
	Params   int           `json:"params"` // scalar parameters checked
	Results  []Result      `json:"results"`
	Verdict  Verdict       `json:"verdict"`
	Notes    []string      `json:"notes,omitempty"`
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// newReport starts a report for cfg (already defaulted).
func newReport(name string, kind Kind, cfg Config) *Report {
	return &Report{Name: name, Kind: kind, Dtype: cfg.Dtype.String(), Mode: cfg.Mode, Order: cfg.Order,
		Eps: cfg.Eps, Atol: cfg.Atol, Rtol: cfg.Rtol, Seed: cfg.Seed, Verdict: Pass}
}

// fail records an error that stopped the check.
func (r *Report) fail(err error) *Report {
	r.Error = err.Error()
	r.Verdict = Error
	return r
}

// add appends rows and folds their verdicts into the report's.
func (r *Report) add(rows ...Result) {
	for _, row := range rows {
		r.Results = append(r.Results, row)
		r.Verdict = worse(r.Verdict, row.Verdict)
	}
}

// OK reports whether the report's verdict is not a failure.
func (r *Report) OK() bool { return r.Verdict.OK() }

// AddReference appends a reference comparison row (see CompareTensor).
func (r *Report) AddReference(row Result) { r.add(row) }
