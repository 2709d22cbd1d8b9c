package ops

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
)

// MaxPool1D is PyTorch's MaxPool1d(kernel, stride, padding) over x
// [N, C, L]: y[n, c, j] = max_{k<K} xpad[n, c, j·s + k], xpad padded with
// -∞ (2·padding <= kernel), output [N, C, (L + 2p - K)/s + 1]. It is
// MaxPool2DPadded over x viewed as [N, C, 1, L] (reshapes copy).
//
// Gradient: g at each window's argmax (MaxPool2DPaddedScatter), 0
// elsewhere.
func MaxPool1D(x *G.Node, kernel, stride, padding int) (out *G.Node, err error) {
	defer panics.Recover(&err, "maxpool1d of %s", x.Name())
	return pool1D("maxpool1d", x, kernel, stride, padding, func(x4 *G.Node) (*G.Node, error) {
		return MaxPool2DPadded(x4, [2]int{1, kernel}, [2]int{1, stride}, [2]int{0, padding})
	})
}

// AvgPool1D is PyTorch's AvgPool1d(kernel, stride, padding) with
// count_include_pad=True over x [N, C, L]: y[n, c, j] =
// Σ_{k<K} xpad[n, c, j·s + k] / K, xpad zero-padded, output
// [N, C, (L + 2p - K)/s + 1]. It is AvgPool2D over x viewed as
// [N, C, 1, L].
//
// Gradient: g / K spread over each window (padding dropped).
func AvgPool1D(x *G.Node, kernel, stride, padding int) (out *G.Node, err error) {
	defer panics.Recover(&err, "avgpool1d of %s", x.Name())
	return pool1D("avgpool1d", x, kernel, stride, padding, func(x4 *G.Node) (*G.Node, error) {
		return AvgPool2D(x4, [2]int{1, kernel}, [2]int{1, stride}, [2]int{0, padding})
	})
}

// pool1D checks x [N, C, L], views it as [N, C, 1, L], pools it with
// pool2d and views the result as [N, C, oL].
func pool1D(what string, x *G.Node, kernel, stride, padding int, pool2d func(*G.Node) (*G.Node, error)) (*G.Node, error) {
	if err := checkFloatNode(what, x); err != nil {
		return nil, err
	}
	s := x.Shape()
	if s.Dims() != 3 {
		return nil, errors.Errorf("%s: x must be [N, C, L], got %s %v", what, x.Name(), s)
	}
	if kernel < 1 || stride < 1 || padding < 0 || 2*padding > kernel || s[2]+2*padding < kernel {
		return nil, errors.Errorf("%s: kernel %d, stride %d, padding %d do not fit %s %v (PyTorch: padding at most half the kernel)", what, kernel, stride, padding, x.Name(), s)
	}
	x4, err := Reshape(x, s[0], s[1], 1, s[2])
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	y4, err := pool2d(x4)
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	ys := y4.Shape()
	y, err := Reshape(y4, ys[0], ys[1], ys[3])
	return y, errors.Wrapf(err, "%s of %s %v", what, x.Name(), s)
}
