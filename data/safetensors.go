package data

import (
	"math"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/safetensors"
)

// LoadSafetensors reads a dataset from a safetensors file (the format
// safetensors.torch.save_file writes): the samples are the tensor named
// xName, the targets the tensor named yName, both with samples along the
// first axis, as a TensorDataset(x, y).
//
// X keeps a float64 or float32 dtype (F16 and BF16 are read as float32);
// any other dtype (uint8 pixels, ...) is converted to float64. Y becomes
// int64 class indices when it is an integer (or bool) tensor of rank 1,
// and X's float dtype otherwise (a rank-1 float Y becomes [N, 1]). The
// file's "classes" metadata, when present, is a comma-separated list of
// class names. The dataset is named after the file and validated
// (finite values, class indices >= 0); a missing tensor is an error that
// lists the file's tensors.
func LoadSafetensors(path, xName, yName string) (*Dataset, error) {
	f, err := safetensors.Read(path)
	if err != nil {
		return nil, errors.Wrap(err, "data")
	}
	name := filepath.Base(path)
	x, err := f.Tensor(xName)
	if err != nil {
		return nil, errors.Wrapf(err, "data: dataset %q: X", name)
	}
	y, err := f.Tensor(yName)
	if err != nil {
		return nil, errors.Wrapf(err, "data: dataset %q: Y", name)
	}
	if x, err = samplesOf(x); err != nil {
		return nil, errors.Wrapf(err, "data: dataset %q: X %q", name, xName)
	}
	if y, err = targetsOf(y, x.Dtype()); err != nil {
		return nil, errors.Wrapf(err, "data: dataset %q: Y %q", name, yName)
	}
	d, err := New(name, x, y)
	if err != nil {
		return nil, err
	}
	if c, ok := f.Metadata["classes"]; ok && d.IsClassification() {
		d.ClassNames = strings.Split(c, ",")
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// samplesOf returns x as a float64 or float32 tensor.
func samplesOf(x *tensor.Dense) (*tensor.Dense, error) {
	if x.Dims() == 0 {
		return nil, errors.New("is 0-d, want samples along the first axis")
	}
	if isFloatDtype(x.Dtype()) {
		return x, nil
	}
	return safetensors.AsFloat64(x)
}

// targetsOf returns y as int64 class indices (an integer vector) or as a
// float [N, K] tensor of dtype dt.
func targetsOf(y *tensor.Dense, dt tensor.Dtype) (*tensor.Dense, error) {
	if y.Dims() == 0 {
		return nil, errors.New("is 0-d, want one target per sample")
	}
	f, err := safetensors.AsFloat64(y)
	if err != nil {
		return nil, err
	}
	vals := f.Data().([]float64)
	if y.Dims() == 1 && !isFloatDtype(y.Dtype()) {
		idx := make([]int64, len(vals))
		for i, v := range vals {
			if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
				return nil, errors.Errorf("element %d is %v, not a class index", i, v)
			}
			idx[i] = int64(v)
		}
		return tensor.New(tensor.WithShape(len(idx)), tensor.WithBacking(idx)), nil
	}
	shape := []int(y.Shape().Clone())
	if len(shape) == 1 {
		shape = append(shape, 1)
	}
	if dt == tensor.Float32 {
		v32 := make([]float32, len(vals))
		for i, v := range vals {
			v32[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v32)), nil
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals)), nil
}
