package data

import (
	"math/rand/v2"
	"strconv"

	"github.com/pkg/errors"
)

// This file holds what the synthetic generators share. Every generator draws
// from NewRand(seed) alone: the same arguments give the same dataset. The
// generators return float64 data; AsType converts it.

// checkGen validates the sample count and the noise level of a generator.
func checkGen(name string, n int, noise float64, dims ...int) error {
	if _, err := checkSize(name, append([]int{n}, dims...)...); err != nil {
		return err
	}
	if !(noise >= 0) || !isFinite(noise) {
		return errors.Errorf("data: %s: noise %v must be finite and >= 0", name, noise)
	}
	return nil
}

// linspace returns numpy.linspace(start, stop, num, endpoint): num values
// start + i*step, with step = (stop-start)/(num-1) (endpoint, the last value
// being stop exactly) or (stop-start)/num (no endpoint).
func linspace(start, stop float64, num int, endpoint bool) []float64 {
	out := make([]float64, num)
	div := num
	if endpoint {
		div = num - 1
	}
	if div <= 0 {
		if num > 0 {
			out[0] = start
		}
		return out
	}
	step := (stop - start) / float64(div)
	for i := range out {
		out[i] = start + float64(i)*step
	}
	if endpoint {
		out[num-1] = stop
	}
	return out
}

// addNoise adds noise * N(0,1) to every value of x, in order.
func addNoise(x []float64, noise float64, rng *rand.Rand) {
	if noise == 0 {
		return
	}
	for i := range x {
		x[i] += noise * rng.NormFloat64()
	}
}

// balancedLabels returns n labels in classes classes, as balanced as n
// allows and in an order drawn from rng: the sample at the i-th place of a
// random permutation is of class i mod classes.
func balancedLabels(n, classes int, rng *rand.Rand) []int64 {
	labels := make([]int64, n)
	p := make([]int, n)
	shuffleInts(p, rng)
	for i, j := range p {
		labels[j] = int64(i % classes)
	}
	return labels
}

// shuffleSamples reorders the samples of x (rows of rowLen values) and their
// labels by one random permutation drawn from rng.
func shuffleSamples(x []float64, rowLen int, labels []int64, rng *rand.Rand) ([]float64, []int64) {
	p := make([]int, len(labels))
	shuffleInts(p, rng)
	xs := make([]float64, len(x))
	ys := make([]int64, len(labels))
	gatherRows(xs, x, p, rowLen)
	gatherRows(ys, labels, p, 1)
	return xs, ys
}

// classification builds a dataset from float64 inputs x of the given shape
// and int64 labels, naming its classes.
func classification(name string, x []float64, labels []int64, classes []string, shape ...int) (*Dataset, error) {
	d, err := New(name, denseF64(x, shape...), denseI64(labels))
	if err != nil {
		return nil, err
	}
	d.ClassNames = classes
	return d, nil
}

// regression builds a dataset from float64 inputs x of shape xShape and
// targets y [N,K].
func regression(name string, x, y []float64, k int, xShape ...int) (*Dataset, error) {
	return New(name, denseF64(x, xShape...), denseF64(y, xShape[0], k))
}

// indexNames returns the class names prefix+"0", prefix+"1", ... prefix+"k-1".
func indexNames(prefix string, k int) []string {
	names := make([]string, k)
	for i := range names {
		names[i] = prefix + strconv.Itoa(i)
	}
	return names
}
