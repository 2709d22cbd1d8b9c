package main

import (
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/ops"
)

// hidden are the widths of the network's hidden layers: about 33,000
// parameters for 16 training points.
var hidden = []int{128, 128, 128}

// network is x [batch, 1] -> 128 -> 128 -> 128 -> 1 with ReLU, and
// dropout with probability drop after every hidden layer when drop > 0,
// with the mean squared error against y [batch, 1].
func network(seed uint64, drop float64) notebook.Net {
	return notebook.Net{Name: "too-big", In: 1, Hidden: hidden, Seed: seed,
		Dropout: drop, DropSeed: func(k int) uint64 { return seed + uint64(k) }, Loss: ops.MSE}
}
