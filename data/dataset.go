package data

import (
	"fmt"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Dataset is an in-memory supervised dataset: inputs X and targets Y whose
// first axis indexes the samples, as a PyTorch TensorDataset.
//
// X is a float64 or float32 tensor of rank 2 or more: [N,F] tables, [N,C,H,W]
// images, [N,T,F] sequences; or an int64 tensor of token ids [N,T] (or any
// rank >= 2) for a model that starts with an Embedding. Y is either a float
// tensor [N,K] of X's dtype (regression, or binary 0/1 targets for a
// logistic loss; with int64 X, of either float dtype) or an int64 tensor
// [N] of class indices (for a cross-entropy loss).
//
// Build one with New, which checks the shapes and dtypes; the fields stay
// exported so that a caller can read them directly, and Validate re-checks
// them (and their values) at any time. Methods never modify the receiver:
// those that change data return a new Dataset.
type Dataset struct {
	// Name identifies the dataset in error messages ("iris", "moons/train").
	Name string
	// X holds the inputs, samples along the first axis.
	X *tensor.Dense
	// Y holds the targets: float [N,K] or int64 class indices [N].
	Y *tensor.Dense
	// ClassNames optionally names the classes of an int64 Y, by index.
	ClassNames []string
	// FeatureNames optionally names the features of a rank-2 X, by column.
	FeatureNames []string
}

// New returns a Dataset named name over x and y after checking their shapes
// and dtypes (see Dataset). Views are copied into contiguous tensors; other
// tensors are used as they are, not copied. New does not scan the values:
// call Validate for that (the loaders do).
func New(name string, x, y *tensor.Dense) (*Dataset, error) {
	if x == nil || y == nil {
		return nil, errors.Errorf("data: dataset %q: X and Y must not be nil", name)
	}
	d := &Dataset{Name: name, X: contiguous(x), Y: contiguous(y)}
	if err := d.checkShape(); err != nil {
		return nil, err
	}
	return d, nil
}

// checkShape verifies the structural invariants listed on Dataset.
func (d *Dataset) checkShape() error {
	if d == nil || d.X == nil || d.Y == nil {
		return errors.New("data: nil dataset, X or Y")
	}
	xs, ys := d.X.Shape(), d.Y.Shape()
	switch {
	case !isFloatDtype(d.X.Dtype()) && d.X.Dtype() != tensor.Int64:
		return errors.Errorf("data: dataset %q: X has dtype %v, want float64, float32 or int64 token ids", d.Name, d.X.Dtype())
	case len(xs) < 2:
		return errors.Errorf("data: dataset %q: X has shape %v, want rank >= 2 with samples first (reshape a vector to [N,1])", d.Name, xs)
	case xs[0] < 1:
		return errors.Errorf("data: dataset %q: X has shape %v: no samples", d.Name, xs)
	case len(ys) == 0 || ys[0] != xs[0]:
		return errors.Errorf("data: dataset %q: X has %d samples %v but Y has shape %v", d.Name, xs[0], xs, ys)
	case d.Y.Dtype() == tensor.Int64:
		if len(ys) != 1 {
			return errors.Errorf("data: dataset %q: int64 Y has shape %v, want class indices [%d]", d.Name, ys, xs[0])
		}
	case d.X.Dtype() == tensor.Int64 && !isFloatDtype(d.Y.Dtype()):
		return errors.Errorf("data: dataset %q: Y has dtype %v, want int64 class indices or float targets", d.Name, d.Y.Dtype())
	case d.X.Dtype() != tensor.Int64 && d.Y.Dtype() != d.X.Dtype():
		return errors.Errorf("data: dataset %q: Y has dtype %v, want int64 class indices or X's dtype %v", d.Name, d.Y.Dtype(), d.X.Dtype())
	case len(ys) != 2:
		return errors.Errorf("data: dataset %q: float Y has shape %v, want [%d,K] (reshape a vector to [N,1])", d.Name, ys, xs[0])
	}
	if d.FeatureNames != nil && (len(xs) != 2 || len(d.FeatureNames) != xs[1]) {
		return errors.Errorf("data: dataset %q: %d feature names for X of shape %v", d.Name, len(d.FeatureNames), xs)
	}
	return nil
}

// Validate checks the dataset's shapes and dtypes (as New does) and its
// values: no NaN or ±Inf in a float X or Y, no negative token id in an
// int64 X, no negative class index, and no
// class index at or above len(ClassNames) when class names are given. The
// error names the dataset, the tensor, the row and the column (for X of rank
// above 2, the position within the sample).
func (d *Dataset) Validate() error {
	if err := d.checkShape(); err != nil {
		return err
	}
	if d.X.Dtype() == tensor.Int64 {
		if err := d.checkTokens(); err != nil {
			return err
		}
	} else if err := d.checkFinite("X", d.X); err != nil {
		return err
	}
	if d.Y.Dtype() != tensor.Int64 {
		return d.checkFinite("Y", d.Y)
	}
	k := int64(len(d.ClassNames))
	for i, c := range d.Y.Int64s() {
		if c < 0 {
			return errors.Errorf("data: dataset %q: Y row %d: negative class index %d", d.Name, i, c)
		}
		if k > 0 && c >= k {
			return errors.Errorf("data: dataset %q: Y row %d: class index %d outside [0,%d) (%d class names)", d.Name, i, c, k, k)
		}
	}
	return nil
}

// checkFinite reports the first NaN or ±Inf of t, by row and column.
func (d *Dataset) checkFinite(which string, t *tensor.Dense) error {
	var i int
	var v float64
	if t.Dtype() == tensor.Float64 {
		if i = firstNonFinite(t.Float64s()); i >= 0 {
			v = t.Float64s()[i]
		}
	} else if i = firstNonFinite(t.Float32s()); i >= 0 {
		v = float64(t.Float32s()[i])
	}
	if i < 0 {
		return nil
	}
	s := t.Shape()
	row, col := i/(s.TotalSize()/s[0]), i%(s.TotalSize()/s[0])
	return errors.Errorf("data: dataset %q: %s row %d, %s is %v", d.Name, which, row, d.position(s, col), v)
}

// checkTokens reports the first negative token id of an int64 X.
func (d *Dataset) checkTokens() error {
	s := d.X.Shape()
	for i, v := range d.X.Int64s() {
		if v < 0 {
			row, col := i/(s.TotalSize()/s[0]), i%(s.TotalSize()/s[0])
			return errors.Errorf("data: dataset %q: X row %d, %s: negative token id %d", d.Name, row, d.position(s, col), v)
		}
	}
	return nil
}

// position describes the flat offset col within one sample of shape s.
func (d *Dataset) position(s tensor.Shape, col int) string {
	if len(s) == 2 {
		if col < len(d.FeatureNames) {
			return fmt.Sprintf("column %d (%q)", col, d.FeatureNames[col])
		}
		return fmt.Sprintf("column %d", col)
	}
	idx := make([]int, len(s)-1)
	for k := len(idx) - 1; k >= 0; k-- {
		idx[k] = col % s[k+1]
		col /= s[k+1]
	}
	return fmt.Sprintf("position %v", idx)
}

// Len returns the number of samples N.
func (d *Dataset) Len() int { return d.X.Shape()[0] }

// Dtype returns the dtype of X (float64, float32, or int64 for token ids).
func (d *Dataset) Dtype() tensor.Dtype { return d.X.Dtype() }

// SampleShape returns the shape of one input sample: X's shape without its
// first axis ([F], [C,H,W] or [T,F]).
func (d *Dataset) SampleShape() tensor.Shape { return d.X.Shape()[1:].Clone() }

// IsClassification reports whether Y holds int64 class indices.
func (d *Dataset) IsClassification() bool { return d.Y.Dtype() == tensor.Int64 }

// String summarizes the dataset: name, shapes and dtypes.
func (d *Dataset) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: X %v %v, Y %v %v", d.Name, d.X.Shape(), d.X.Dtype(), d.Y.Shape(), d.Y.Dtype())
	if len(d.ClassNames) > 0 {
		fmt.Fprintf(&b, ", classes %v", d.ClassNames)
	}
	return b.String()
}

// Subset returns a new Dataset named name holding the samples idx of d, in
// that order (indices may repeat). X and Y are copied.
func (d *Dataset) Subset(name string, idx []int) (*Dataset, error) {
	if err := d.checkShape(); err != nil {
		return nil, err
	}
	if len(idx) == 0 {
		return nil, errors.Errorf("data: dataset %q: empty subset", d.Name)
	}
	for _, i := range idx {
		if i < 0 || i >= d.Len() {
			return nil, errors.Errorf("data: dataset %q: subset index %d outside [0,%d)", d.Name, i, d.Len())
		}
	}
	return d.with(name, rowsOf(d.X, idx), rowsOf(d.Y, idx)), nil
}

// with returns a copy of d's metadata around new tensors.
func (d *Dataset) with(name string, x, y *tensor.Dense) *Dataset {
	out := &Dataset{Name: name, X: x, Y: y, ClassNames: d.ClassNames, FeatureNames: d.FeatureNames}
	if len(x.Shape()) != 2 {
		out.FeatureNames = nil
	}
	return out
}

// AsType returns a copy of d whose X, and Y when it holds floats, have dtype
// dt (tensor.Float64 or tensor.Float32). Int64 class indices and int64
// token ids (X) are shared: they select rows, whatever the model's dtype.
func (d *Dataset) AsType(dt tensor.Dtype) (*Dataset, error) {
	if err := d.checkShape(); err != nil {
		return nil, err
	}
	x, err := d.X, error(nil)
	if x.Dtype() != tensor.Int64 {
		if x, err = convertFloat(d.X, dt); err != nil {
			return nil, errors.Wrapf(err, "dataset %q", d.Name)
		}
	} else if !isFloatDtype(dt) {
		return nil, errors.Errorf("data: dataset %q: dtype %v is not float32 or float64", d.Name, dt)
	}
	y := d.Y
	if !d.IsClassification() {
		if y, err = convertFloat(d.Y, dt); err != nil {
			return nil, errors.Wrapf(err, "dataset %q", d.Name)
		}
	}
	return d.with(d.Name, x, y), nil
}

// Float32 is AsType(tensor.Float32).
func (d *Dataset) Float32() (*Dataset, error) { return d.AsType(tensor.Float32) }

// ReshapeX returns a Dataset whose X has the sample shape sampleShape (the
// first axis stays N): Reshape(784) flattens [N,1,28,28] images for an MLP,
// Reshape(1, 8, 8) turns [N,64] digits into images. The new X shares its
// data with d.X, so an in-place change to one shows in the other.
func (d *Dataset) ReshapeX(sampleShape ...int) (*Dataset, error) {
	if err := d.checkShape(); err != nil {
		return nil, err
	}
	shape := append([]int{d.Len()}, sampleShape...)
	if n, err := checkSize("reshape", shape...); err != nil || n != d.X.Shape().TotalSize() {
		return nil, errors.Errorf("data: dataset %q: cannot reshape X %v to %v", d.Name, d.X.Shape(), shape)
	}
	var x *tensor.Dense
	switch d.X.Dtype() {
	case tensor.Float64:
		x = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d.X.Float64s()))
	case tensor.Int64:
		x = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d.X.Int64s()))
	default:
		x = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d.X.Float32s()))
	}
	out, err := New(d.Name, x, d.Y)
	if err != nil {
		return nil, err
	}
	out.ClassNames = d.ClassNames
	return out, nil
}

// Flatten returns ReshapeX(F) where F is the number of values per sample.
func (d *Dataset) Flatten() (*Dataset, error) {
	return d.ReshapeX(d.X.Shape().TotalSize() / d.Len())
}
