package data

import (
	"path/filepath"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// MNIST builds a classification dataset from IDX tensors in the layout of
// MNIST (and Fashion-MNIST, KMNIST, EMNIST): images [N,H,W] (or [N,C,H,W])
// of any IDX dtype and labels [N] of an integer dtype. X is float64
// [N,1,H,W] (or [N,C,H,W]), divided by 255 when the images are uint8 (as
// torchvision's ToTensor), Y int64 [N] and ClassNames "0", "1", ... up to
// the largest label. The dataset is named name and validated.
func MNIST(images, labels *tensor.Dense, name string) (*Dataset, error) {
	if images == nil || labels == nil {
		return nil, errors.Errorf("data: %s: nil images or labels", name)
	}
	is, ls := images.Shape(), labels.Shape()
	if len(is) != 3 && len(is) != 4 {
		return nil, errors.Errorf("data: %s: images have shape %v, want [N,H,W] or [N,C,H,W]", name, is)
	}
	if len(ls) != 1 || ls[0] != is[0] {
		return nil, errors.Errorf("data: %s: %d images %v but labels have shape %v", name, is[0], is, ls)
	}
	if ld := labels.Dtype(); ld == tensor.Float32 || ld == tensor.Float64 {
		return nil, errors.Errorf("data: %s: labels have dtype %v, want an integer type", name, ld)
	}
	x, err := convertFloat(images, tensor.Float64)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: images", name)
	}
	if images.Dtype() == tensor.Uint8 {
		for i, v := range x.Float64s() {
			x.Float64s()[i] = v / 255
		}
	}
	if len(is) == 3 {
		if err := x.Reshape(is[0], 1, is[1], is[2]); err != nil {
			return nil, errors.Wrapf(err, "data: %s", name)
		}
	}
	lf, err := convertFloat(labels, tensor.Float64)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: labels", name)
	}
	y := make([]int64, ls[0])
	for i, v := range lf.Float64s() {
		y[i] = int64(v)
	}
	d, err := New(name, x, denseI64(y))
	if err != nil {
		return nil, err
	}
	d.ClassNames = indexNames("", max(d.NumClasses(), 1))
	return d, d.Validate()
}

// LoadMNIST reads MNIST's IDX files (train-images-idx3-ubyte and
// train-labels-idx1-ubyte, gzipped or not) with LoadIDX (opts apply to
// both) and builds the
// dataset with MNIST. The dataset is named after the images file.
func LoadMNIST(imagesPath, labelsPath string, opts ...ReadOption) (*Dataset, error) {
	images, err := LoadIDX(imagesPath, opts...)
	if err != nil {
		return nil, err
	}
	labels, err := LoadIDX(labelsPath, opts...)
	if err != nil {
		return nil, err
	}
	return MNIST(images, labels, filepath.Base(imagesPath))
}
