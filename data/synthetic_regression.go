package data

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// LinearRegressionConfig configures LinearRegression. N and Features are
// required; the other zero values are scikit-learn's defaults.
type LinearRegressionConfig struct {
	// N is the number of samples, Features the number of input features.
	N, Features int
	// Informative is the number of features with a non-zero weight; 0 means
	// all of them.
	Informative int
	// Targets is the number of target columns K; 0 means 1.
	Targets int
	// Bias is added to every target.
	Bias float64
	// Noise is the standard deviation of the Gaussian noise on the targets.
	Noise float64
	// Seed seeds NewRand.
	Seed uint64
}

// LinearRegression returns a linear regression problem, X [N,Features] and
// Y [N,Targets], and its true weights w [Features,Targets], as
// scikit-learn's make_regression (without effective_rank):
//
//	X ~ N(0,1);  w[f,k] = 100 * U(0,1) for Informative features, else 0;
//	Y = X w + Bias + Noise * N(0,1)
//
// with the feature columns (and the rows of w) then shuffled, so the
// informative features are not all first. The name is "linear".
func LinearRegression(cfg LinearRegressionConfig) (*Dataset, *tensor.Dense, error) {
	inf, k := cfg.Informative, max(cfg.Targets, 1)
	if inf == 0 {
		inf = cfg.Features
	}
	if err := checkGen("LinearRegression", cfg.N, cfg.Noise, cfg.Features, k); err != nil {
		return nil, nil, err
	}
	if inf < 0 || inf > cfg.Features || !isFinite(cfg.Bias) {
		return nil, nil, errors.Errorf("data: LinearRegression: %d informative of %d features, bias %v", inf, cfg.Features, cfg.Bias)
	}
	n, f := cfg.N, cfg.Features
	rng := NewRand(cfg.Seed)
	x := make([]float64, n*f)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	w := make([]float64, f*k)
	for i := range inf * k {
		w[i] = 100 * rng.Float64()
	}
	y := make([]float64, n*k)
	for i := range n {
		for j := range k {
			s := cfg.Bias
			for c := range f {
				s += x[i*f+c] * w[c*k+j]
			}
			y[i*k+j] = s
		}
	}
	addNoise(y, cfg.Noise, rng)
	x, w = shuffleFeatures(x, w, n, f, k, Permutation(f, rng.Uint64()))
	d, err := regression("linear", x, y, k, n, f)
	if err != nil {
		return nil, nil, err
	}
	return d, denseF64(w, f, k), nil
}

// shuffleFeatures reorders the columns of x [n,f] and the rows of w [f,k]
// by p: new column c is old column p[c].
func shuffleFeatures(x, w []float64, n, f, k int, p []int) ([]float64, []float64) {
	xs := make([]float64, len(x))
	for i := range n {
		for c, old := range p {
			xs[i*f+c] = x[i*f+old]
		}
	}
	ws := make([]float64, len(w))
	gatherRows(ws, w, p, k)
	return xs, ws
}

// SineRegression returns n samples of a noisy sine, X [n,1] and Y [n,1]:
//
//	x ~ U(-pi, pi),  y = sin(x) + noise * N(0,1)
//
// The name is "sine".
func SineRegression(n int, noise float64, seed uint64) (*Dataset, error) {
	if err := checkGen("SineRegression", n, noise, 1); err != nil {
		return nil, err
	}
	rng := NewRand(seed)
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = math.Pi * (2*rng.Float64() - 1)
	}
	for i := range y {
		y[i] = math.Sin(x[i]) + noise*rng.NormFloat64()
	}
	return regression("sine", x, y, 1, n, 1)
}

// Friedman1 returns scikit-learn's make_friedman1(n, features, noise): X
// [n,features] uniform on [0,1) and Y [n,1] with
//
//	y = 10 sin(pi x0 x1) + 20 (x2 - 0.5)^2 + 10 x3 + 5 x4 + noise * N(0,1)
//
// where features >= 5 and the features after the fifth are distractors.
// Friedman1(n, 100, noise, seed) is the 100-feature nonlinear regression
// y = f(x) + noise that the simplenet and mlpbn models ([B,100] -> [B,1])
// train on. The name is "friedman1".
func Friedman1(n, features int, noise float64, seed uint64) (*Dataset, error) {
	if err := checkGen("Friedman1", n, noise, features); err != nil {
		return nil, err
	}
	if features < 5 {
		return nil, errors.Errorf("data: Friedman1: %d features, want >= 5", features)
	}
	rng := NewRand(seed)
	x := make([]float64, n*features)
	for i := range x {
		x[i] = rng.Float64()
	}
	y := make([]float64, n)
	for i := range y {
		y[i] = friedman1Target(x[i*features:])
	}
	addNoise(y, noise, rng)
	return regression("friedman1", x, y, 1, n, features)
}

// friedman1Target returns Friedman's function of the first five values of x.
func friedman1Target(x []float64) float64 {
	return 10*math.Sin(math.Pi*x[0]*x[1]) + 20*(x[2]-0.5)*(x[2]-0.5) + 10*x[3] + 5*x[4]
}
