package models

import (
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/safetensors"
)

// Checkpoint metadata keys and values. A checkpoint is a safetensors file
// holding the model's state dict under PyTorch's names and layouts, plus
// optimizer state under OptimizerPrefix; its metadata records:
//
//	format           "pt" (what safetensors.torch.save_file writes)
//	symgrad.version  CheckpointVersion
//	symgrad.model    the model's name (zoo name), for people: loading
//	                 never compares it with the model's (tensors are
//	                 matched by name and shape)
//	symgrad.dtype    "float64" or "float32"
//
// and any caller-supplied keys. Files without the symgrad.* keys (written
// by PyTorch) load too.
const (
	MetaFormat        = "format"
	MetaVersion       = "symgrad.version"
	MetaModel         = "symgrad.model"
	MetaDtype         = "symgrad.dtype"
	CheckpointVersion = "1"
	// OptimizerPrefix starts the name of every optimizer-state tensor in a
	// checkpoint ("optimizer.fc1.weight.m", ...).
	OptimizerPrefix = "optimizer."
)

// SaveCheckpoint writes m's state dict (parameters and buffers by their
// PyTorch names and layouts: a Linear weight [out, in], a Conv2d weight
// [out, in, kH, kW], BatchNorm's num_batches_tracked a 0-d int64), the
// optimizer state (may be nil; each tensor stored as "optimizer.<name>")
// and meta to path, atomically: a crash mid-save leaves the previous file
// intact. meta may not set the symgrad.* keys or "format".
func SaveCheckpoint(path string, m *Model, optimizerState map[string]*tensor.Dense, meta map[string]string) (err error) {
	defer panics.Recover(&err, "saving checkpoint %s", path)
	if m == nil {
		return errors.Errorf("saving checkpoint %s: nil model", path)
	}
	tensors := make(map[string]*tensor.Dense)
	for _, e := range m.StateDict() {
		tensors[e.Name] = e.Tensor
	}
	if len(tensors) == 0 {
		return errors.Errorf("saving checkpoint %s: model %q has no parameters or buffers (register its layers with Model.Add)", path, m.Name)
	}
	md := map[string]string{
		MetaFormat:  "pt",
		MetaVersion: CheckpointVersion,
		MetaModel:   m.Name,
		MetaDtype:   m.Dtype().String(),
	}
	for k, v := range meta {
		if _, reserved := md[k]; reserved {
			return errors.Errorf("saving checkpoint %s: metadata key %q is reserved", path, k)
		}
		md[k] = v
	}
	for name, t := range optimizerState {
		full := OptimizerPrefix + name
		if _, dup := tensors[full]; dup {
			return errors.Errorf("saving checkpoint %s: duplicate tensor name %q", path, full)
		}
		tensors[full] = t
	}
	return errors.Wrapf(safetensors.Write(path, tensors, md), "saving checkpoint of model %q", m.Name)
}

// LoadOption changes how LoadCheckpoint treats a file.
type LoadOption func(*loadConfig)

type loadConfig struct{ convert bool }

// ConvertDtype lets LoadCheckpoint and LoadStateDict convert float64 parameters and buffers
// to a float32 model and vice versa (float64 -> float32 rounds to nearest).
// Without it a dtype mismatch is an error naming the tensor and both dtypes.
// Optimizer state is returned as stored.
func ConvertDtype() LoadOption { return func(c *loadConfig) { c.convert = true } }

// LoadCheckpoint reads the checkpoint at path into m (see LoadStateDict:
// strict and all or nothing) and returns the optimizer state stored in it
// (names without the "optimizer." prefix; empty if there is none).
//
// Tensors are matched by name and shape: the file's symgrad.model metadata
// is not compared with m.Name, so a checkpoint loads into any model with the
// same state dict (a renamed model, a hand-built twin of a zoo model). It
// checks symgrad.version when present. A file with no model tensors, a
// truncated or corrupt file, a missing, extra, mis-shaped or mis-typed
// tensor is an error that names the tensor (and both shapes or dtypes),
// never a panic; on error m is unchanged.
func LoadCheckpoint(path string, m *Model, opts ...LoadOption) (optimizerState map[string]*tensor.Dense, err error) {
	defer panics.Recover(&err, "loading checkpoint %s", path)
	if m == nil {
		return nil, errors.Errorf("loading checkpoint %s: nil model", path)
	}
	f, err := safetensors.Read(path)
	if err != nil {
		return nil, errors.Wrapf(err, "loading checkpoint into model %q", m.Name)
	}
	opt, err := loadFile(f, m, opts...)
	return opt, errors.Wrapf(err, "loading checkpoint %s", path)
}

// loadFile loads a decoded safetensors file into m.
func loadFile(f *safetensors.File, m *Model, opts ...LoadOption) (map[string]*tensor.Dense, error) {
	if v, ok := f.Metadata[MetaVersion]; ok && v != CheckpointVersion {
		return nil, errors.Errorf("checkpoint format version %q, this build reads version %q", v, CheckpointVersion)
	}
	state := make(map[string]*tensor.Dense)
	opt := make(map[string]*tensor.Dense)
	for name, t := range f.Tensors {
		if rest, ok := strings.CutPrefix(name, OptimizerPrefix); ok {
			opt[rest] = t
			continue
		}
		state[name] = t
	}
	if len(state) == 0 {
		return nil, errors.Errorf("the file holds no model tensors (%d optimizer tensors), model %q has %d", len(opt), m.Name, len(m.state()))
	}
	if err := m.LoadStateDict(state, opts...); err != nil {
		return nil, err
	}
	return opt, nil
}

// convertFloats returns a copy of the map state in which each float tensor
// whose dtype differs from the model's (float64 vs float32) is replaced by
// a converted copy.
func convertFloats(in map[string]*tensor.Dense, m *Model) (map[string]*tensor.Dense, error) {
	state := make(map[string]*tensor.Dense, len(in))
	for k, v := range in {
		state[k] = v
	}
	for _, e := range m.state() {
		t, ok := state[e.name]
		if !ok || t.Dtype() == e.dtype || !isFloat(t.Dtype()) || !isFloat(e.dtype) || t.Shape().TotalSize() == 0 || t.Dims() == 0 {
			continue
		}
		c := tensor.New(tensor.Of(e.dtype), tensor.WithShape(t.Shape().Clone()...))
		switch src := t.Data().(type) {
		case []float64:
			dst := c.Data().([]float32)
			for i, x := range src {
				dst[i] = float32(x)
			}
		case []float32:
			dst := c.Data().([]float64)
			for i, x := range src {
				dst[i] = float64(x)
			}
		default:
			return nil, errors.Errorf("tensor %q: cannot convert %T", e.name, t.Data())
		}
		state[e.name] = c
	}
	return state, nil
}

func isFloat(dt tensor.Dtype) bool { return dt == tensor.Float64 || dt == tensor.Float32 }
