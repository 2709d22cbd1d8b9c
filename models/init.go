package models

import (
	"math"
	"math/rand/v2"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
)

// NewRNG returns the deterministic generator symgrad uses for
// initialisation: PCG seeded with (seed, seed^golden).
func NewRNG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Uniform returns a tensor of the given dtype and shape with elements drawn
// from U(-bound, bound).
func Uniform(rng *rand.Rand, dt tensor.Dtype, bound float64, shape ...int) *tensor.Dense {
	t := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	floatdense.Fill(t.Data(), func() float64 { return (2*rng.Float64() - 1) * bound })
	return t
}

// KaimingUniformBound is the bound of PyTorch's default Linear and Conv
// initialisation, kaiming_uniform_(a=sqrt(5)): gain sqrt(2/(1+a^2)) =
// sqrt(1/3), bound = gain*sqrt(3/fan_in) = 1/sqrt(fan_in). PyTorch draws the
// bias from the same U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
func KaimingUniformBound(fanIn int) float64 {
	return 1 / math.Sqrt(float64(fanIn))
}

// checkInit refuses a nil rng and sizes whose product overflows, before a
// layer allocates and draws its weights.
func checkInit(kind, name string, rng *rand.Rand, dims ...int) error {
	if rng == nil {
		return errors.Errorf("%s %q: nil rng (use models.NewRNG(seed))", kind, name)
	}
	n := 1
	for _, d := range dims {
		if d > 0 && n > (1<<40)/d {
			return errors.Errorf("%s %q: sizes %v: more than 2^40 weights", kind, name, dims)
		}
		n *= d
	}
	return nil
}
