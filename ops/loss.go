package ops

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
)

// MSE is the mean squared error between pred and target, as PyTorch's
// MSELoss: reduce((pred - target)^2). pred and target must have the same
// shape (no silent broadcasting).
//
// Gradient: d/dpred = 2 (pred - target) / N for Mean, 2 (pred - target) for Sum.
func MSE(pred, target *G.Node, reduction ...Reduction) (out *G.Node, err error) {
	defer panics.Recover(&err, "MSE loss")
	r, err := reductionOf(reduction)
	if err != nil {
		return nil, errors.Wrap(err, "MSE loss")
	}
	if err := sameShape("MSE loss", pred, target); err != nil {
		return nil, err
	}
	diff, err := G.Sub(pred, target)
	if err != nil {
		return nil, errors.Wrap(err, "MSE loss: pred - target")
	}
	sq, err := G.Square(diff)
	if err != nil {
		return nil, errors.Wrap(err, "MSE loss: square")
	}
	return reduce(sq, r)
}

// sameShape checks that a and b have identical shapes and dtypes.
func sameShape(what string, a, b *G.Node) error {
	if !a.Shape().Eq(b.Shape()) {
		return errors.Errorf("%s: shapes differ: %v has shape %v, %v has shape %v", what, a.Name(), a.Shape(), b.Name(), b.Shape())
	}
	if a.Dtype() != b.Dtype() {
		return errors.Errorf("%s: dtypes differ: %v is %v, %v is %v", what, a.Name(), a.Dtype(), b.Name(), b.Dtype())
	}
	return nil
}
