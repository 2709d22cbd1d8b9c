package data

import (
	"math"

	"github.com/pkg/errors"
)

// TwoMoons returns n points in two interleaving half circles, X [n,2] and
// int64 labels [n], as scikit-learn's make_moons(n, noise=noise): with
// nOut = n/2 and nIn = n - nOut,
//
//	class 0: (cos t, sin t),             t = linspace(0, pi, nOut)
//	class 1: (1 - cos t, 1 - sin t - 0.5), t = linspace(0, pi, nIn)
//
// then the samples are shuffled and noise * N(0,1) is added to every
// coordinate. The name is "moons".
func TwoMoons(n int, noise float64, seed uint64) (*Dataset, error) {
	if err := checkGen("TwoMoons", n, noise, 2); err != nil {
		return nil, err
	}
	x, y := moonsPoints(n)
	rng := NewRand(seed)
	x, y = shuffleSamples(x, 2, y, rng)
	addNoise(x, noise, rng)
	return classification("moons", x, y, []string{"outer", "inner"}, n, 2)
}

// moonsPoints returns make_moons's points before shuffling and noise.
func moonsPoints(n int) ([]float64, []int64) {
	nOut := n / 2
	x := make([]float64, 0, 2*n)
	y := make([]int64, n)
	for _, t := range linspace(0, math.Pi, nOut, true) {
		x = append(x, math.Cos(t), math.Sin(t))
	}
	for i, t := range linspace(0, math.Pi, n-nOut, true) {
		x = append(x, 1-math.Cos(t), 1-math.Sin(t)-0.5)
		y[nOut+i] = 1
	}
	return x, y
}

// Circles returns n points on two concentric circles, X [n,2] and int64
// labels [n], as scikit-learn's make_circles(n, noise=noise, factor=factor):
// with nOut = n/2 and nIn = n - nOut,
//
//	class 0: (cos t, sin t),                   t = linspace(0, 2pi, nOut, endpoint=False)
//	class 1: (factor cos t, factor sin t),     t = linspace(0, 2pi, nIn, endpoint=False)
//
// then shuffled, with noise * N(0,1) added to every coordinate. factor, the
// inner radius, must lie in [0,1). The name is "circles".
func Circles(n int, factor, noise float64, seed uint64) (*Dataset, error) {
	if err := checkGen("Circles", n, noise, 2); err != nil {
		return nil, err
	}
	if !(factor >= 0 && factor < 1) {
		return nil, errors.Errorf("data: Circles: factor %v outside [0,1)", factor)
	}
	x, y := circlesPoints(n, factor)
	rng := NewRand(seed)
	x, y = shuffleSamples(x, 2, y, rng)
	addNoise(x, noise, rng)
	return classification("circles", x, y, []string{"outer", "inner"}, n, 2)
}

// circlesPoints returns make_circles's points before shuffling and noise.
func circlesPoints(n int, factor float64) ([]float64, []int64) {
	nOut := n / 2
	x := make([]float64, 0, 2*n)
	y := make([]int64, n)
	for _, t := range linspace(0, 2*math.Pi, nOut, false) {
		x = append(x, math.Cos(t), math.Sin(t))
	}
	for i, t := range linspace(0, 2*math.Pi, n-nOut, false) {
		x = append(x, factor*math.Cos(t), factor*math.Sin(t))
		y[nOut+i] = 1
	}
	return x, y
}

// Spirals returns n points on arms interleaved spiral arms, X [n,2] and int64
// labels [n] (the arm), after the CS231n spiral dataset: arm j (j < arms)
// gets n/arms points (the first n mod arms arms one more), and its point i of
// m sits at
//
//	r = i/(m-1),  theta = 2*pi*j/arms + 4r + noise * N(0,1),  x = (r sin theta, r cos theta)
//
// so noise perturbs the angle (CS231n uses 0.2). The samples are shuffled.
// The name is "spirals".
func Spirals(n, arms int, noise float64, seed uint64) (*Dataset, error) {
	if err := checkGen("Spirals", n, noise, 2); err != nil {
		return nil, err
	}
	if arms < 2 || arms > n {
		return nil, errors.Errorf("data: Spirals: %d arms for %d points, want 2 <= arms <= n", arms, n)
	}
	rng := NewRand(seed)
	x := make([]float64, 0, 2*n)
	y := make([]int64, 0, n)
	for j := range arms {
		m := n / arms
		if j < n%arms {
			m++
		}
		for _, r := range linspace(0, 1, m, true) {
			theta := 2*math.Pi*float64(j)/float64(arms) + 4*r + noise*rng.NormFloat64()
			x = append(x, r*math.Sin(theta), r*math.Cos(theta))
			y = append(y, int64(j))
		}
	}
	x, y = shuffleSamples(x, 2, y, rng)
	return classification("spirals", x, y, indexNames("arm", arms), n, 2)
}

// XOR returns n points drawn uniformly from the square [-1,1]^2, X [n,2],
// labelled by the exclusive or of their signs, int64 [n]:
//
//	y = 1 if (x0 > 0) != (x1 > 0) else 0
//
// after which noise * N(0,1) is added to every coordinate (so noisy points
// may cross the axes). The name is "xor".
func XOR(n int, noise float64, seed uint64) (*Dataset, error) {
	if err := checkGen("XOR", n, noise, 2); err != nil {
		return nil, err
	}
	rng := NewRand(seed)
	x := make([]float64, 2*n)
	y := make([]int64, n)
	for i := range n {
		x[2*i], x[2*i+1] = 2*rng.Float64()-1, 2*rng.Float64()-1
		if (x[2*i] > 0) != (x[2*i+1] > 0) {
			y[i] = 1
		}
	}
	addNoise(x, noise, rng)
	return classification("xor", x, y, []string{"same sign", "opposite sign"}, n, 2)
}

// Blobs returns n points in isotropic Gaussian clusters, X [n,features] and
// int64 labels [n] (the cluster), as scikit-learn's make_blobs(n, features,
// centers, cluster_std=std): the centers are drawn uniformly from
// [-10,10)^features, cluster c gets n/centers points (the first n mod centers
// one more) at center_c + std * N(0,I), and the samples are shuffled. The
// name is "blobs".
func Blobs(n, features, centers int, std float64, seed uint64) (*Dataset, error) {
	if err := checkGen("Blobs", n, std, features); err != nil {
		return nil, err
	}
	if centers < 1 || centers > n {
		return nil, errors.Errorf("data: Blobs: %d centers for %d points, want 1 <= centers <= n", centers, n)
	}
	rng := NewRand(seed)
	ctr := make([]float64, centers*features)
	for i := range ctr {
		ctr[i] = 20*rng.Float64() - 10
	}
	x := make([]float64, 0, n*features)
	y := make([]int64, 0, n)
	for c := range centers {
		m := n / centers
		if c < n%centers {
			m++
		}
		for range m {
			for f := range features {
				x = append(x, ctr[c*features+f]+std*rng.NormFloat64())
			}
			y = append(y, int64(c))
		}
	}
	x, y = shuffleSamples(x, features, y, rng)
	return classification("blobs", x, y, indexNames("blob", centers), n, features)
}
