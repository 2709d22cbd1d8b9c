package gradcheck

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Default tolerances, those of PyTorch's torch.autograd.gradcheck.
const (
	DefaultEps        = 1e-6
	DefaultAtol       = 1e-5
	DefaultRtol       = 1e-3
	DefaultDirections = 4
	DefaultBatch      = 4
)

// Float32 tolerances for comparing a float32 function with its float64
// twin: |a32 - a64| <= Float32Atol + Float32Rtol |a64|.
const (
	Float32Atol = 1e-4
	Float32Rtol = 1e-3
)

// Mode says how the numeric gradient is sampled.
type Mode int

const (
	// Full checks every element of every parameter with central differences.
	Full Mode = iota
	// Fast checks a few random unit directions per parameter, and falls back
	// to Full on a parameter whose directional check fails.
	Fast
)

// String returns "full" or "fast".
func (m Mode) String() string {
	if m == Fast {
		return "fast"
	}
	return "full"
}

// MarshalText encodes the mode as its name.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText decodes "full" or "fast".
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	*m = v
	return err
}

// ParseMode parses "full" or "fast".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "full":
		return Full, nil
	case "fast":
		return Fast, nil
	}
	return Full, errors.Errorf("unknown mode %q (want full or fast)", s)
}

// Config says how to check. Its zero value means: eps 1e-6, atol 1e-5,
// rtol 1e-3, full mode, first order, seed 0, float64, 4 directions in fast
// mode, a batch of 4 for models.
type Config struct {
	Eps, Atol, Rtol float64      // 0 means the default
	Mode            Mode         // Full (default) or Fast
	Directions      int          // random directions per parameter in fast mode and for H v; 0 means 4
	Order           int          // 1 (0 means 1) or 2: also check Hessian-vector products
	Seed            uint64       // seeds every random value: inputs, upstream gradients, directions
	Dtype           tensor.Dtype // dtype of the function; float32 is checked through a float64 twin
	Batch           int          // batch size for CheckModel; 0 means 4
}

// withDefaults fills zero fields and validates the rest.
func (c Config) withDefaults() (Config, error) {
	def := func(v *float64, d float64, name string) error {
		if *v == 0 {
			*v = d
		}
		if *v < 0 || math.IsNaN(*v) || math.IsInf(*v, 0) {
			return errors.Errorf("gradcheck: %s must be a positive finite number, got %g", name, *v)
		}
		return nil
	}
	if err := def(&c.Eps, DefaultEps, "eps"); err != nil {
		return c, err
	}
	if err := def(&c.Atol, DefaultAtol, "atol"); err != nil {
		return c, err
	}
	if err := def(&c.Rtol, DefaultRtol, "rtol"); err != nil {
		return c, err
	}
	if c.Directions == 0 {
		c.Directions = DefaultDirections
	}
	if c.Batch == 0 {
		c.Batch = DefaultBatch
	}
	if c.Order == 0 {
		c.Order = 1
	}
	if c.Dtype == (tensor.Dtype{}) {
		c.Dtype = tensor.Float64
	}
	switch {
	case c.Mode != Full && c.Mode != Fast:
		return c, errors.Errorf("gradcheck: unknown mode %d", int(c.Mode))
	case c.Directions < 0:
		return c, errors.Errorf("gradcheck: directions must be positive, got %d", c.Directions)
	case c.Batch < 0:
		return c, errors.Errorf("gradcheck: batch must be positive, got %d", c.Batch)
	case c.Order != 1 && c.Order != 2:
		return c, errors.Errorf("gradcheck: order must be 1 or 2, got %d", c.Order)
	case c.Dtype != tensor.Float64 && c.Dtype != tensor.Float32:
		return c, errors.Errorf("gradcheck: dtype must be float64 or float32, got %v", c.Dtype)
	}
	return c, nil
}

// judge is the tolerance rule |a - n| <= atol + rtol |n|.
type judge struct{ atol, rtol float64 }

// ok reports whether analytic a matches numeric n (false for NaN).
func (j judge) ok(a, n float64) bool {
	return math.Abs(a-n) <= j.atol+j.rtol*math.Abs(n)
}

// ratio is |a - n| / (atol + rtol |n|): above 1 fails. NaN counts as +Inf.
func (j judge) ratio(a, n float64) float64 {
	r := math.Abs(a-n) / (j.atol + j.rtol*math.Abs(n))
	if math.IsNaN(r) {
		return math.Inf(1)
	}
	return r
}

// relErr is |a - n| / max(|a|, |n|); 0 when max(|a|, |n|) <= atol, where
// a relative error says nothing (rounding noise around 0).
func (j judge) relErr(a, n float64) float64 {
	d := math.Abs(a - n)
	m := math.Max(math.Abs(a), math.Abs(n))
	if d == 0 || m <= j.atol {
		return 0
	}
	return d / m
}

func shapeString(s []int) string {
	if len(s) == 0 {
		return "scalar"
	}
	out := ""
	for i, d := range s {
		if i > 0 {
			out += "x"
		}
		out += fmt.Sprint(d)
	}
	return out
}
