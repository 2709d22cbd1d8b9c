package ops

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// Reduction says how a loss reduces its per-element terms to a scalar, as
// PyTorch's reduction= argument does.
type Reduction int

const (
	// Mean averages the per-element terms (PyTorch's default).
	Mean Reduction = iota
	// Sum adds the per-element terms.
	Sum
	// NoReduction keeps the per-element terms (PyTorch's reduction="none").
	// Only the losses that document it accept it (CrossEntropyWith).
	NoReduction
)

func (r Reduction) String() string {
	switch r {
	case Mean:
		return "mean"
	case Sum:
		return "sum"
	case NoReduction:
		return "none"
	}
	return "unknown reduction"
}

// reductionOf picks the reduction from an optional argument list.
func reductionOf(rs []Reduction) (Reduction, error) {
	switch len(rs) {
	case 0:
		return Mean, nil
	case 1:
		if rs[0] == NoReduction {
			return 0, errors.New("reduction none is not supported here (CrossEntropyWith has it)")
		}
		if rs[0] != Mean && rs[0] != Sum {
			return 0, errors.Errorf("unknown reduction %d", int(rs[0]))
		}
		return rs[0], nil
	}
	return 0, errors.Errorf("at most one reduction, got %d", len(rs))
}

// reduce applies r to all elements of terms.
func reduce(terms *G.Node, r Reduction) (*G.Node, error) {
	if r == Sum {
		return sumAll(terms)
	}
	return meanOver(terms, allAxes(terms))
}
