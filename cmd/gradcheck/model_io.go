package main

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/gradcheck"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/safetensors"
)

// modelFiles is `model NAME` with --weights and/or --batch: a zoo model on
// given weights (a safetensors state dict with PyTorch names and layouts)
// and a given batch (tensors x and y), so its gradients can be compared
// with another framework's for the same numbers.
type modelFiles struct {
	name    string
	weights *safetensors.File // nil: seeded initialisation
	x, y    *tensor.Dense     // nil: a seeded batch
	// wpath and bpath are the --weights and --batch files, for messages.
	wpath, bpath string
}

func (o *options) usesModelFiles() bool {
	return o.weights != "" || o.batch != "" || o.dump != "" || o.ref != ""
}

// checkModelFiles checks one model on the files' weights and batch
// numerically, writes --dump (loss, output, grad.<param>) and compares with
// --reference.
func checkModelFiles(o *options, name string, cfg gradcheck.Config) (*gradcheck.Report, error) {
	mf, err := readModelFiles(o, name)
	if err != nil {
		return nil, err
	}
	// Load once in the requested dtype up front: a bad file is a usage
	// error (exit 2) naming the tensor at fault, not a failed check.
	m, x, y, err := mf.build(cfg.Dtype, cfg.Seed)
	if err != nil {
		return nil, usagef("model %s: %v", name, err)
	}
	r, err := gradcheck.Check(name, gradcheck.KindModel, mf.builder(cfg.Seed), cfg)
	if err != nil {
		return nil, usagef("model %s: %v", name, err)
	}
	if o.dump == "" && o.ref == "" {
		return r, nil
	}
	out, err := runModelOnce(m, x, y)
	if err != nil {
		return nil, errors.Wrapf(err, "model %s", name)
	}
	if o.dump != "" {
		meta := map[string]string{"model": name, "dtype": cfg.Dtype.String()}
		if err := safetensors.Write(o.dump, out, meta); err != nil {
			return nil, errors.Wrap(err, "--dump")
		}
	}
	if o.ref != "" {
		if err := compareModelReference(r, o, m, out); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func readModelFiles(o *options, name string) (*modelFiles, error) {
	mf := &modelFiles{name: name, wpath: o.weights, bpath: o.batch}
	var err error
	if o.weights != "" {
		if mf.weights, err = safetensors.Read(o.weights); err != nil {
			return nil, usagef("--weights: %v", err)
		}
		if err := checkFileTensors("--weights", mf.weights, o.maxElements); err != nil {
			return nil, usagef("%v", err)
		}
	}
	if o.batch != "" {
		f, err := safetensors.Read(o.batch)
		if err != nil {
			return nil, usagef("--batch: %v", err)
		}
		for _, n := range []string{"x", "y"} {
			if _, ok := f.Tensors[n]; !ok {
				return nil, usagef("--batch %s has no tensor %q (it needs x and y)", o.batch, n)
			}
		}
		mf.x, mf.y = f.Tensors["x"], f.Tensors["y"]
		if mf.x.Dims() == 0 {
			return nil, usagef("--batch %s: tensor \"x\" must have a batch axis, got shape %v", o.batch, mf.x.Shape())
		}
		// Shapes first (before a model is built at x's batch size), then
		// sizes and values.
		if err := checkBatchShapes(name, o.batch, mf.x, mf.y, o.maxElements); err != nil {
			return nil, usagef("%v", err)
		}
		if err := checkFileTensors("--batch", f, o.maxElements); err != nil {
			return nil, usagef("%v", err)
		}
	}
	return mf, nil
}

// build builds the model in dtype dt, loads the weights (converting their
// dtype) and returns the batch converted to the model's input dtypes.
func (mf *modelFiles) build(dt tensor.Dtype, seed uint64) (*models.Model, *tensor.Dense, *tensor.Dense, error) {
	batch := 4
	if mf.x != nil {
		batch = mf.x.Shape()[0]
	}
	m, err := models.Build(mf.name, models.Config{Batch: batch, Dtype: dt, Seed: seed})
	if err != nil {
		return nil, nil, nil, err
	}
	if mf.weights != nil {
		if err := m.LoadStateDict(stateDictOf(mf.weights), models.ConvertDtype()); err != nil {
			return nil, nil, nil, errors.Wrapf(err, "--weights %s", mf.wpath)
		}
	}
	if mf.x == nil {
		x, y := m.SampleBatch(seed)
		return m, x, y, nil
	}
	x, err := convertTo(mf.x, "x", m.X)
	if err != nil {
		return nil, nil, nil, errors.Wrapf(err, "--batch %s", mf.bpath)
	}
	if err := checkTokenIDs(x, m.Vocab); err != nil {
		return nil, nil, nil, errors.Wrapf(err, "--batch %s", mf.bpath)
	}
	y, err := convertTo(mf.y, "y", m.Y)
	if err != nil {
		return nil, nil, nil, errors.Wrapf(err, "--batch %s", mf.bpath)
	}
	if y.Dtype() == tensor.Int64 {
		if err := checkClassIndices(m.Graph, map[string]*tensor.Dense{m.Y.Name(): y}); err != nil {
			return nil, nil, nil, errors.Wrapf(err, "--batch %s", mf.bpath)
		}
	}
	return m, x, y, nil
}

// stateDictOf drops a checkpoint's optimizer tensors.
func stateDictOf(f *safetensors.File) map[string]*tensor.Dense {
	out := make(map[string]*tensor.Dense, len(f.Tensors))
	for name, t := range f.Tensors {
		if len(name) < len("optimizer.") || name[:len("optimizer.")] != "optimizer." {
			out[name] = t
		}
	}
	return out
}

// builder is the gradcheck Builder: the model in dtype dt on the files'
// weights and batch.
func (mf *modelFiles) builder(seed uint64) gradcheck.Builder {
	return func(dt tensor.Dtype) (*gradcheck.Problem, error) {
		m, x, y, err := mf.build(dt, seed)
		if err != nil {
			return nil, err
		}
		return &gradcheck.Problem{Loss: m.Loss, Params: m.Params, Output: m.Output,
			Inputs: map[string]*tensor.Dense{m.X.Name(): x, m.Y.Name(): y}}, nil
	}
}

// runModelOnce runs one training pass and returns loss (0-d), output and
// grad.<param name> for every parameter.
func runModelOnce(m *models.Model, x, y *tensor.Dense) (map[string]*tensor.Dense, error) {
	prog, err := m.Compile()
	if err != nil {
		return nil, err
	}
	defer prog.Close()
	if err := prog.Bind(m.X.Name(), x); err != nil {
		return nil, err
	}
	if err := prog.Bind(m.Y.Name(), y); err != nil {
		return nil, err
	}
	if err := prog.RunTrain(); err != nil {
		return nil, err
	}
	out := map[string]*tensor.Dense{
		"loss":   scalarOf(prog, m.Loss.Dtype()),
		"output": prog.Output(0).(*tensor.Dense).Clone().(*tensor.Dense),
	}
	for _, p := range prog.Params() {
		out["grad."+p.Name] = p.Grad.Clone().(*tensor.Dense)
	}
	return out, nil
}

func scalarOf(p *compiler.Program, dt tensor.Dtype) *tensor.Dense {
	if dt == tensor.Float32 {
		return tensor.New(tensor.FromScalar(float32(p.Loss())))
	}
	return tensor.New(tensor.FromScalar(p.Loss()))
}

// compareModelReference adds a reference row for every parameter's
// gradient (each must be in the file) and for loss and output when the
// file has them.
func compareModelReference(r *gradcheck.Report, o *options, m *models.Model, ours map[string]*tensor.Dense) error {
	f, err := safetensors.Read(o.ref)
	if err != nil {
		return usagef("--reference: %v", err)
	}
	names := []string{"loss", "output"}
	for _, p := range m.Params {
		names = append(names, "grad."+p.Name())
	}
	for _, n := range names {
		want, ok := f.Tensors[n]
		if !ok {
			if n == "loss" || n == "output" {
				continue
			}
			return usagef("--reference %s has no tensor %q", o.ref, n)
		}
		row, err := gradcheck.CompareTensor("reference "+n, gradcheck.RowReference, ours[n], want, o.cfg)
		if err != nil {
			return usagef("--reference %s: %v", n, err)
		}
		r.AddReference(row)
	}
	return nil
}

// convertTo converts a batch tensor to the dtype of the model input n:
// between float dtypes, or between integer dtypes for class indices. Its
// shape must match n's.
func convertTo(t *tensor.Dense, name string, n interface {
	Dtype() tensor.Dtype
	Shape() tensor.Shape
}) (*tensor.Dense, error) {
	if !t.Shape().Eq(n.Shape()) {
		return nil, errors.Errorf("%s has shape %v, the model needs %v", name, t.Shape(), n.Shape())
	}
	want := n.Dtype()
	if t.Dtype() == want {
		return t, nil
	}
	switch {
	case want == tensor.Int64 && isInteger(t.Dtype()):
		return toInt64s(t)
	case (want == tensor.Float64 || want == tensor.Float32) && (t.Dtype() == tensor.Float64 || t.Dtype() == tensor.Float32):
		f64, err := safetensors.AsFloat64(t)
		if err != nil {
			return nil, err
		}
		if want == tensor.Float32 {
			return toFloat32(f64), nil
		}
		return f64, nil
	}
	return nil, errors.Errorf("%s has dtype %v, the model needs %v", name, t.Dtype(), want)
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case uint8:
		return int64(x)
	}
	return 0
}
