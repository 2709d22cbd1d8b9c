package data

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// NumClasses returns the number of classes of a classification dataset: the
// larger of len(ClassNames) and the largest class index plus one. It returns
// 0 when Y holds floats.
func (d *Dataset) NumClasses() int {
	if !d.IsClassification() {
		return 0
	}
	k := len(d.ClassNames)
	for _, c := range d.Y.Int64s() {
		if int(c) >= k {
			k = int(c) + 1
		}
	}
	return k
}

// ClassCounts returns how many samples each class has, indexed by class
// (length NumClasses()); nil when Y holds floats. Negative indices, which
// Validate rejects, are not counted.
func (d *Dataset) ClassCounts() []int {
	if !d.IsClassification() {
		return nil
	}
	counts := make([]int, d.NumClasses())
	for _, c := range d.Y.Int64s() {
		if c >= 0 {
			counts[c]++
		}
	}
	return counts
}

// OneHot encodes int64 class indices labels [N] as a float tensor [N,classes]
// of dtype dt with out[i, labels[i]] = 1 and zeros elsewhere (PyTorch's
// F.one_hot, as floats). An index outside [0,classes) is an error.
func OneHot(labels *tensor.Dense, classes int, dt tensor.Dtype) (*tensor.Dense, error) {
	if labels == nil || labels.Dtype() != tensor.Int64 || labels.Dims() != 1 {
		return nil, errors.New("data: OneHot: labels must be an int64 tensor [N]")
	}
	if !isFloatDtype(dt) {
		return nil, errors.Errorf("data: OneHot: dtype %v is not float32 or float64", dt)
	}
	labels = contiguous(labels)
	n := labels.Shape()[0]
	if _, err := checkSize("OneHot", n, classes); err != nil {
		return nil, err
	}
	vals := make([]float64, n*classes)
	for i, c := range labels.Int64s() {
		if c < 0 || c >= int64(classes) {
			return nil, errors.Errorf("data: OneHot: label %d at row %d outside [0,%d)", c, i, classes)
		}
		vals[i*classes+int(c)] = 1
	}
	return fromF64(vals, dt, n, classes)
}

// OneHotTargets returns a copy of a classification dataset whose Y is the
// one-hot encoding [N,classes] in X's dtype, float64 for int64 token ids
// (for a mean-squared-error or multi-label loss). classes <= 0 means
// NumClasses().
func (d *Dataset) OneHotTargets(classes int) (*Dataset, error) {
	if err := d.checkShape(); err != nil {
		return nil, err
	}
	if !d.IsClassification() {
		return nil, errors.Errorf("data: dataset %q: OneHotTargets needs int64 class indices, Y is %v", d.Name, d.Y.Dtype())
	}
	if classes <= 0 {
		classes = d.NumClasses()
	}
	y, err := OneHot(d.Y, classes, d.floatDtype())
	if err != nil {
		return nil, errors.Wrapf(err, "dataset %q", d.Name)
	}
	return d.with(d.Name, d.X, y), nil
}

// FloatTargets returns a copy of a classification dataset whose Y is the class
// index as a float column [N,1] in X's dtype (float64 for int64 token
// ids): the 0/1 targets a binary
// logistic loss (PyTorch's BCEWithLogitsLoss) expects. X is shared.
func (d *Dataset) FloatTargets() (*Dataset, error) {
	if err := d.checkShape(); err != nil {
		return nil, err
	}
	if !d.IsClassification() {
		return nil, errors.Errorf("data: dataset %q: FloatTargets needs int64 class indices, Y is %v", d.Name, d.Y.Dtype())
	}
	y, err := fromF64(toF64(d.Y.Int64s()), d.floatDtype(), d.Len(), 1)
	if err != nil {
		return nil, err
	}
	return d.with(d.Name, d.X, y), nil
}

// floatDtype is X's dtype, or float64 when X holds int64 token ids.
func (d *Dataset) floatDtype() tensor.Dtype {
	if d.X.Dtype() == tensor.Int64 {
		return tensor.Float64
	}
	return d.X.Dtype()
}
