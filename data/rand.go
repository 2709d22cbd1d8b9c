package data

import "math/rand/v2"

// NewRand returns the generator every seeded function of this package uses:
// rand.New(rand.NewPCG(seed, 0)). The same seed gives the same stream on
// every platform and Go version that keeps math/rand/v2's PCG.
func NewRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }

// Permutation returns a random permutation of 0..n-1 drawn from
// NewRand(seed): the same seed gives the same order. It is the order of
// epoch 0 of a shuffling Batcher with that seed.
func Permutation(n int, seed uint64) []int {
	p := make([]int, n)
	shuffleInts(p, NewRand(seed))
	return p
}

// shuffleInts sets p to a permutation of 0..len(p)-1 drawn from rng
// (Fisher-Yates over the identity). It does not allocate.
func shuffleInts(p []int, rng *rand.Rand) {
	for i := range p {
		p[i] = i
	}
	permuteInts(p, rng)
}

// permuteInts shuffles p in place (Fisher-Yates). It does not allocate.
func permuteInts(p []int, rng *rand.Rand) {
	for i := len(p) - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}
