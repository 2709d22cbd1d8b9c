package models

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/safetensors"
)

// bits returns t's elements as raw bit patterns, for bit-identical checks.
func bits(t *tensor.Dense) []uint64 {
	if d, ok := t.Data().(int64); ok {
		return []uint64{uint64(d)}
	}
	if b := floatdense.Bits(t.Data()); b != nil {
		return b
	}
	panic("bits: unexpected data")
}

// trained builds name, runs two training passes (moving BatchNorm's
// running statistics) and perturbs the parameters, so that its state is
// unlike a fresh build's.
func trained(t *testing.T, name string, dt tensor.Dtype) *Model {
	t.Helper()
	m, err := Build(name, Config{Batch: 2, Dtype: dt, Seed: 21})
	if err != nil {
		t.Fatal(err)
	}
	p := compileWithBatch(t, m, 5)
	for range 2 {
		if err := p.RunTrain(); err != nil {
			t.Fatal(err)
		}
	}
	for _, prm := range p.Params() {
		switch d := prm.Value.Data().(type) {
		case []float64:
			for i := range d {
				d[i] += 1e-3
			}
		case []float32:
			for i := range d {
				d[i] += 1e-3
			}
		}
	}
	return m
}

// TestCheckpointRoundTrip saves every zoo model in both dtypes, with
// optimizer state, and loads it into a fresh build from another seed: the
// state and the optimizer tensors come back bit for bit.
func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, name := range Names() {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(name+"/"+dt.String(), func(t *testing.T) {
				src := trained(t, name, dt)
				opt := map[string]*tensor.Dense{
					"step":           tensor.New(tensor.FromScalar(int64(2))),
					"fc.weight.m":    Uniform(NewRNG(1), dt, 1, 3, 4),
					"fc.weight.v":    Uniform(NewRNG(2), dt, 1, 3, 4),
					"lr.with.dots.x": Uniform(NewRNG(3), tensor.Float64, 1, 1),
				}
				path := filepath.Join(dir, name+dt.String()+".safetensors")
				if err := SaveCheckpoint(path, src, opt, map[string]string{"epoch": "3"}); err != nil {
					t.Fatal(err)
				}
				dst, err := Build(name, Config{Batch: 4, Dtype: dt, Seed: 99})
				if err != nil {
					t.Fatal(err)
				}
				gotOpt, err := LoadCheckpoint(path, dst)
				if err != nil {
					t.Fatal(err)
				}
				want, got := src.StateDict(), dst.StateDict()
				for i := range want {
					if got[i].Name != want[i].Name || !reflect.DeepEqual(bits(got[i].Tensor), bits(want[i].Tensor)) {
						t.Errorf("%s did not round-trip bit for bit", want[i].Name)
					}
				}
				if len(gotOpt) != len(opt) {
					t.Fatalf("optimizer state has %d tensors, want %d", len(gotOpt), len(opt))
				}
				for k, v := range opt {
					if g, ok := gotOpt[k]; !ok || !reflect.DeepEqual(bits(g), bits(v)) || !slices.Equal(g.Shape(), v.Shape()) {
						t.Errorf("optimizer tensor %q did not round-trip", k)
					}
				}
			})
		}
	}
}

// TestCheckpointLoadedModelComputes checks that a compiled program sees
// loaded values (they are copied in place): a model loaded after Compile
// and one loaded before give the same evaluation outputs, and they differ
// from the fresh model's.
func TestCheckpointLoadedModelComputes(t *testing.T) {
	src := trained(t, "mlpbn", tensor.Float64)
	path := filepath.Join(t.TempDir(), "c.safetensors")
	if err := SaveCheckpoint(path, src, nil, nil); err != nil {
		t.Fatal(err)
	}
	var outs [3][]float64
	for k := range outs {
		m, _ := Build("mlpbn", Config{Batch: 2, Seed: 1})
		if k == 0 {
			if _, err := LoadCheckpoint(path, m); err != nil {
				t.Fatal(err)
			}
		}
		p := compileWithBatch(t, m, 8)
		if k == 1 {
			if _, err := LoadCheckpoint(path, m); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.RunInference(); err != nil {
			t.Fatal(err)
		}
		outs[k] = append([]float64(nil), p.Output(0).Data().([]float64)...)
	}
	if !reflect.DeepEqual(outs[0], outs[1]) {
		t.Errorf("loading before and after Compile give different outputs: %v vs %v", outs[0], outs[1])
	}
	if reflect.DeepEqual(outs[0], outs[2]) {
		t.Errorf("the loaded model computes what the fresh one does: %v", outs[0])
	}
}

// header is the JSON header of a safetensors file, read independently of
// package safetensors: an 8-byte little-endian length, then JSON.
type stEntry struct {
	Dtype   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

func readRaw(t *testing.T, path string) (map[string]stEntry, map[string]string, []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &hdr); err != nil {
		t.Fatal(err)
	}
	entries := map[string]stEntry{}
	var meta map[string]string
	for k, v := range hdr {
		if k == "__metadata__" {
			if err := json.Unmarshal(v, &meta); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var e stEntry
		if err := json.Unmarshal(v, &e); err != nil {
			t.Fatal(err)
		}
		entries[k] = e
	}
	return entries, meta, raw[8+n:]
}

// TestCheckpointLayout reads a float32 mlpbn checkpoint with the minimal
// reader above and checks names, dtypes, shapes, metadata and PyTorch's
// [out, in] layout of a Linear weight, element by element.
func TestCheckpointLayout(t *testing.T) {
	m := trained(t, "mlpbn", tensor.Float32)
	path := filepath.Join(t.TempDir(), "mlpbn.safetensors")
	if err := SaveCheckpoint(path, m, nil, map[string]string{"note": "hi"}); err != nil {
		t.Fatal(err)
	}
	entries, meta, data := readRaw(t, path)
	want := map[string]string{
		"fc1.weight": "F32 [64 100]", "fc1.bias": "F32 [64]", "bn1.weight": "F32 [64]", "bn1.bias": "F32 [64]",
		"bn1.running_mean": "F32 [64]", "bn1.running_var": "F32 [64]", "bn1.num_batches_tracked": "I64 []",
		"fc2.weight": "F32 [1 64]", "fc2.bias": "F32 [1]",
	}
	got := map[string]string{}
	for k, e := range entries {
		got[k] = e.Dtype + " " + strings.ReplaceAll(jsonOf(e.Shape), ",", " ")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n got %v\nwant %v", got, want)
	}
	wantMeta := map[string]string{"format": "pt", "symgrad.version": "1", "symgrad.model": "mlpbn", "symgrad.dtype": "float32", "note": "hi"}
	if !reflect.DeepEqual(meta, wantMeta) {
		t.Errorf("metadata = %v, want %v", meta, wantMeta)
	}
	w := m.Params[0].Value().(*tensor.Dense) // fc1.weight [64, 100]
	e := entries["fc1.weight"]
	blob := data[e.Offsets[0]:e.Offsets[1]]
	for _, oi := range [][2]int{{0, 0}, {0, 99}, {1, 0}, {63, 57}} {
		v, _ := w.At(oi[0], oi[1])
		off := (oi[0]*100 + oi[1]) * 4
		if got := math.Float32frombits(binary.LittleEndian.Uint32(blob[off:])); got != v.(float32) {
			t.Errorf("fc1.weight[%d,%d] stored %v at row-major [out,in] offset, model has %v", oi[0], oi[1], got, v)
		}
	}
	e = entries["bn1.num_batches_tracked"]
	if n := int64(binary.LittleEndian.Uint64(data[e.Offsets[0]:])); n != 2 || e.Offsets[1]-e.Offsets[0] != 8 {
		t.Errorf("num_batches_tracked stored %d in %d bytes, want 2 (two training runs) in 8", n, e.Offsets[1]-e.Offsets[0])
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// writeState writes m's state with changes applied (nil deletes a name).
func writeState(t *testing.T, path string, m *Model, change map[string]*tensor.Dense) {
	t.Helper()
	ts := map[string]*tensor.Dense{}
	for _, e := range m.StateDict() {
		ts[e.Name] = e.Tensor
	}
	for k, v := range change {
		if v == nil {
			delete(ts, k)
		} else {
			ts[k] = v
		}
	}
	if err := safetensors.Write(path, ts, nil); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpointRejects loads bad checkpoints: each error names the tensor
// and, for mismatches, both shapes or dtypes; the model is left unchanged.
func TestCheckpointRejects(t *testing.T) {
	dir := t.TempDir()
	m, _ := Build("simplenet", Config{Seed: 1})
	m32, _ := Build("simplenet", Config{Seed: 1, Dtype: tensor.Float32})
	fc1 := m.Params[0].Value().(*tensor.Dense)
	transposed := fc1.Clone().(*tensor.Dense)
	if err := transposed.T(); err != nil {
		t.Fatal(err)
	}
	if err := transposed.Transpose(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		into   *Model
		change map[string]*tensor.Dense
		want   []string
	}{
		{"transposed fc1.weight", m, map[string]*tensor.Dense{"fc1.weight": transposed}, []string{`"fc1.weight"`, "[100 50]", "[50 100]"}},
		{"missing", m, map[string]*tensor.Dense{"fc2.bias": nil}, []string{`missing tensor "fc2.bias"`}},
		{"extra", m, map[string]*tensor.Dense{"fc3.weight": fc1}, []string{`unexpected tensor "fc3.weight"`}},
		{"float64 into float32", m32, nil, []string{`"fc1.weight"`, "float64", "float32"}},
		{"int bias", m, map[string]*tensor.Dense{"fc2.bias": tensor.New(tensor.WithBacking([]int64{1}))}, []string{`"fc2.bias"`, "int64", "float64"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			writeState(t, path, m, tc.change)
			before := bits(tc.into.Params[0].Value().(*tensor.Dense))
			_, err := LoadCheckpoint(path, tc.into)
			if err == nil {
				t.Fatal("loaded without error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
			if !reflect.DeepEqual(before, bits(tc.into.Params[0].Value().(*tensor.Dense))) {
				t.Error("a failed load changed the model")
			}
		})
	}
}

// TestCheckpointConvertDtype loads a float64 checkpoint into a float32
// model with ConvertDtype: values are rounded to nearest.
func TestCheckpointConvertDtype(t *testing.T) {
	src := trained(t, "mlpbn", tensor.Float64)
	path := filepath.Join(t.TempDir(), "c.safetensors")
	if err := SaveCheckpoint(path, src, nil, nil); err != nil {
		t.Fatal(err)
	}
	dst, _ := Build("mlpbn", Config{Dtype: tensor.Float32})
	if _, err := LoadCheckpoint(path, dst, ConvertDtype()); err != nil {
		t.Fatal(err)
	}
	for i, e := range src.StateDict() {
		d := dst.StateDict()[i].Tensor
		if e.Tensor.Dims() == 0 {
			if d.Data() != e.Tensor.Data() {
				t.Errorf("%s = %v, want %v", e.Name, d.Data(), e.Tensor.Data())
			}
			continue
		}
		for j, v := range e.Tensor.Data().([]float64) {
			if d.Data().([]float32)[j] != float32(v) {
				t.Fatalf("%s[%d] = %v, want float32(%v)", e.Name, j, d.Data().([]float32)[j], v)
			}
		}
	}
}

// TestCheckpointOtherModel: tensors, not the model's name, decide. A
// checkpoint of another architecture fails naming a tensor at fault; one
// of the same architecture under another name loads (it used to be
// refused by name).
func TestCheckpointOtherModel(t *testing.T) {
	a, _ := Build("lstm", Config{Seed: 1})
	b, _ := Build("bilstm", Config{})
	path := filepath.Join(t.TempDir(), "c.safetensors")
	if err := SaveCheckpoint(path, a, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCheckpoint(path, b); err == nil || !strings.Contains(err.Error(), `"fc.weight"`) {
		t.Errorf("lstm into bilstm: error = %v, want one naming a mismatched tensor", err)
	}
	renamed, _ := Build("lstm", Config{Seed: 2})
	renamed.Name = "my-lstm"
	if _, err := LoadCheckpoint(path, renamed); err != nil {
		t.Fatalf("a renamed model with the same tensors: %v", err)
	}
	if got, want := renamed.StateDict()[0].Tensor.Data(), a.StateDict()[0].Tensor.Data(); !reflect.DeepEqual(got, want) {
		t.Error("the renamed model did not get the checkpoint's values")
	}
	if err := SaveCheckpoint(path, a, nil, map[string]string{MetaModel: "x"}); err == nil {
		t.Error("saving with a reserved metadata key succeeded")
	}
}

// TestCheckpointEmpty: a model whose layers were never registered used to
// save a file with no tensors and load one without complaint.
func TestCheckpointEmpty(t *testing.T) {
	dir := t.TempDir()
	empty := &Model{Name: "forgot-add"}
	if err := SaveCheckpoint(filepath.Join(dir, "e.safetensors"), empty, nil, nil); err == nil || !strings.Contains(err.Error(), "no parameters") {
		t.Errorf("saving a model with no state: error = %v", err)
	}
	path := filepath.Join(dir, "none.safetensors")
	if err := safetensors.Write(path, map[string]*tensor.Dense{}, nil); err != nil {
		t.Fatal(err)
	}
	m, _ := Build("simplenet", Config{})
	if _, err := LoadCheckpoint(path, m); err == nil || !strings.Contains(err.Error(), "no model tensors") {
		t.Errorf("loading a file with no tensors: error = %v", err)
	}
	if _, err := LoadCheckpoint(path, empty); err == nil {
		t.Error("loading an empty file into an empty model succeeded")
	}
}

// TestCheckpointCorrupt loads truncated and damaged files: always an
// error, never a panic, and the model is unchanged.
func TestCheckpointCorrupt(t *testing.T) {
	m, _ := Build("mlpbn", Config{Dtype: tensor.Float32})
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := SaveCheckpoint(good, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	cases := map[string][]byte{"empty": {}, "7 bytes": raw[:7], "header only": raw[:8+binary.LittleEndian.Uint64(raw)]}
	for _, n := range []int{9, 100, len(raw) / 2, len(raw) - 1} {
		cases["truncated"+string(rune('a'+len(cases)))] = raw[:n]
	}
	flipped := bytes.Clone(raw)
	copy(flipped[20:], "}}}}")
	cases["broken json"] = flipped
	huge := bytes.Clone(raw)
	binary.LittleEndian.PutUint64(huge, 1<<62)
	cases["huge header size"] = huge
	cases["longer"] = append(bytes.Clone(raw), 0, 0, 0, 0)
	for name, data := range cases {
		path := filepath.Join(dir, "bad")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadCheckpoint(path, m); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
	if _, err := LoadCheckpoint(filepath.Join(dir, "missing"), m); err == nil {
		t.Error("loading a missing file succeeded")
	}
}
