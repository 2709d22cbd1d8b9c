package main

import (
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
)

// hidden are the widths of the network's hidden layers: about 33,000
// parameters for 16 training points.
var hidden = []int{128, 128, 128}

// buildNet builds x [batch, 1] -> 128 -> 128 -> 128 -> 1 with ReLU, and
// dropout with probability drop after every hidden layer when drop > 0,
// with the mean squared error against y [batch, 1].
func buildNet(batch int, seed uint64, drop float64) (*models.Model, error) {
	return notebook.MLP(notebook.Net{Name: "too-big", In: 1, Hidden: hidden, Batch: batch, Seed: seed,
		Dropout: drop, DropSeed: func(k int) uint64 { return seed + uint64(k) }, Loss: ops.MSE})
}
