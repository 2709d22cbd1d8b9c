package main

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/safetensors"
)

// defaultMaxElements is the default of --max-elements: the most elements a
// tensor the CLI draws, reads or builds a model for may have (10 million:
// 80 MB in float64). Every size is checked against it before anything is
// allocated, so a hostile --var or file is refused at once, not after an
// out-of-memory crash.
const defaultMaxElements = 10_000_000

// shapeSize is the number of elements of shape, or an error when a
// dimension is negative or the product overflows an int.
func shapeSize(shape []int) (int, error) {
	n := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, errors.Errorf("shape %v has a negative dimension", shape)
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt {
			return 0, errors.Errorf("shape %v has more elements than an int holds", shape)
		}
		n = lo
	}
	return int(n), nil
}

// checkSize refuses a shape of more than max elements or of none; what
// names the tensor ("--var x", "--batch b.st: tensor \"x\"").
func checkSize(what string, shape []int, max int) error {
	n, err := shapeSize(shape)
	if err != nil {
		return errors.Wrap(err, what)
	}
	if n == 0 {
		return errors.Errorf("%s has shape %v: no elements", what, shape)
	}
	if n > max {
		return errors.Errorf("%s has shape %v: %d elements, more than --max-elements %d", what, shape, n, max)
	}
	return nil
}

// checkFileTensor checks a tensor read from --input, --weights or --batch:
// at least one element, at most max, and no NaN or infinity (the check
// would compare NaN with NaN). what names the file and the tensor.
func checkFileTensor(what string, t *tensor.Dense, max int) error {
	if err := checkSize(what, t.Shape(), max); err != nil {
		return err
	}
	switch d := t.Data().(type) {
	case []float64:
		return checkFinite(what, d)
	case []float32:
		return checkFinite(what, d)
	case float64: // a 0-d tensor's Data is its value
		return checkFinite(what, []float64{d})
	case float32:
		return checkFinite(what, []float32{d})
	}
	return nil // integers are always finite
}

func checkFinite[T float32 | float64](what string, d []T) error {
	for i, v := range d {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return errors.Errorf("%s holds %v at flat index %d: inputs must be finite", what, v, i)
		}
	}
	return nil
}

// checkBatchShapes checks the --batch tensors x and y against model name's
// declared inputs before a model is built at x's batch size: the model is
// built once at batch 2 to read its per-sample shapes, then x must be
// [B, <x's sample shape>] and y [B, <y's sample shape>] with B >= 1 and
// the whole of x within max elements.
func checkBatchShapes(name, bpath string, x, y *tensor.Dense, max int) error {
	m, err := models.Build(name, models.Config{Batch: 2}) // 2: BatchNorm refuses 1
	if err != nil {
		return err
	}
	b := x.Shape()[0]
	for _, in := range []struct {
		name string
		got  tensor.Shape
		want tensor.Shape
	}{{"x", x.Shape(), m.X.Shape()}, {"y", y.Shape(), m.Y.Shape()}} {
		want := append([]int{b}, in.want[1:]...)
		if !slices.Equal(in.got, want) { // exactly: tensor.Shape.Eq takes [3] and [3, 1] for equal
			return errors.Errorf("--batch %s: %s has shape %v, model %s needs %v (batch %d of samples %v)",
				bpath, in.name, in.got, name, tensor.Shape(want), b, in.want[1:])
		}
		if err := checkSize("--batch "+bpath+": tensor \""+in.name+"\"", in.got, max); err != nil {
			return err
		}
	}
	return nil
}

// checkFileTensors runs checkFileTensor on every tensor of f, in the
// file's order; flag is the flag that named the file.
func checkFileTensors(flag string, f *safetensors.File, max int) error {
	for _, name := range f.Order {
		if err := checkFileTensor(fmt.Sprintf("%s %s: tensor %q", flag, f.Path, name), f.Tensors[name], max); err != nil {
			return err
		}
	}
	return nil
}

// paramCount is the number of differentiated elements of an expr check:
// above fastAbove, expr is checked in fast mode unless --mode is given, as
// models are.
func (x *exprCheck) paramCount() int {
	n := 0
	for _, v := range x.params() {
		n += x.values[v].Shape().TotalSize()
	}
	return n
}
