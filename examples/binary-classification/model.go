package main

import (
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/ops"
)

// classifier is the deep classifier for samples of features inputs: Linear layers fc1, fc2, ... (widths hidden, then 1)
// with a ReLU after each hidden one, followed by dropout with probability
// dropout when it is positive, and the mean BCEWithLogits loss of the
// logit against float 0/1 targets — PyTorch's
//
//	nn.Sequential(nn.Linear(F, 32), nn.ReLU(), nn.Dropout(p), nn.Linear(32, 32), nn.ReLU(),
//	              nn.Dropout(p), nn.Linear(32, 32), nn.ReLU(), nn.Dropout(p), nn.Linear(32, 1))
//	loss = nn.BCEWithLogitsLoss()(model(x), y)
//
// The same seed gives the same weights whatever the batch size, so the
// trainer can rebuild it (Build) for a last, smaller validation batch.
func classifier(features int, hidden []int, dropout float64, seed uint64) notebook.Net {
	return notebook.Net{Name: "deep-binary", In: features, Hidden: hidden, Seed: seed,
		Dropout: dropout, DropSeed: func(int) uint64 { return seed }, Loss: ops.BCEWithLogits}
}
