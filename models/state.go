package models

import (
	"sort"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
)

// NamedTensor is one entry of a state dict.
type NamedTensor struct {
	Name   string
	Tensor *tensor.Dense
}

// stateEntry is one entry of a model's state: a parameter or a buffer.
type stateEntry struct {
	name  string
	dtype tensor.Dtype
	shape tensor.Shape
	value func() *tensor.Dense
	load  func(*tensor.Dense) error
}

// state lists the model's parameters and buffers in PyTorch's state_dict
// order: module by module, each module's parameters, then its buffers.
func (m *Model) state() []stateEntry {
	var out []stateEntry
	for _, mod := range m.Modules {
		for _, p := range mod.Params() {
			out = append(out, paramEntry(p))
		}
		for _, b := range mod.Buffers() {
			out = append(out, stateEntry{name: b.Name, dtype: b.Dtype, shape: b.Shape, value: b.value, load: b.load})
		}
	}
	return out
}

func paramEntry(p *G.Node) stateEntry {
	v := p.Value().(*tensor.Dense)
	return stateEntry{
		name: p.Name(), dtype: v.Dtype(), shape: v.Shape().Clone(),
		value: func() *tensor.Dense { return v },
		load:  func(src *tensor.Dense) error { return copyDense(v, src) },
	}
}

// StateDict returns the model's parameters and buffers by their PyTorch
// state_dict names ("fc1.weight", "bn1.running_mean", ...), in PyTorch's
// order. Parameter and running-statistic tensors are the live ones (a
// compiled program and the optimizers update them in place): Clone them for
// a snapshot. num_batches_tracked is a fresh 0-d int64 tensor.
func (m *Model) StateDict() []NamedTensor {
	st := m.state()
	out := make([]NamedTensor, len(st))
	for i, e := range st {
		out[i] = NamedTensor{Name: e.name, Tensor: e.value()}
	}
	return out
}

// StateNames returns the state_dict names, in order.
func (m *Model) StateNames() []string {
	st := m.state()
	out := make([]string, len(st))
	for i, e := range st {
		out[i] = e.name
	}
	return out
}

// LoadStateDict copies tensors into the model's parameters and buffers, in
// place (so a program compiled from the model sees the new values). It is
// strict, like PyTorch's load_state_dict(strict=True), and all or nothing:
// every tensor is validated first, and any missing name, unexpected name,
// shape or dtype mismatch is an error naming each offending tensor with the
// file's and the model's shape or dtype; the model is then left unchanged.
// With ConvertDtype, float64 tensors load into a float32 model and vice
// versa (the map passed in is not modified).
func (m *Model) LoadStateDict(tensors map[string]*tensor.Dense, opts ...LoadOption) (err error) {
	defer panics.Recover(&err, "model %q: loading the state dict", m.Name)
	var cfg loadConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.convert {
		if tensors, err = convertFloats(tensors, m); err != nil {
			return err
		}
	}
	st := m.state()
	var problems []string
	known := make(map[string]bool, len(st))
	for _, e := range st {
		known[e.name] = true
		v, ok := tensors[e.name]
		if !ok {
			problems = append(problems, errors.Errorf("missing tensor %q (%v %s)", e.name, e.dtype, shapeString(e.shape)).Error())
			continue
		}
		if err := checkTensor(e.name, v, e.dtype, e.shape); err != nil {
			problems = append(problems, err.Error())
		}
	}
	var extra []string
	for name := range tensors {
		if !known[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		problems = append(problems, errors.Errorf("unexpected tensor %q: the model has no such parameter or buffer", name).Error())
	}
	if len(problems) > 0 {
		return errors.Errorf("model %q: %d problem(s) loading the state dict: %s", m.Name, len(problems), strings.Join(problems, "; "))
	}
	for _, e := range st {
		if err := e.load(tensors[e.name]); err != nil {
			return errors.Wrapf(err, "model %q: loading %q", m.Name, e.name)
		}
	}
	return nil
}
