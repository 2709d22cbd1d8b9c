package models

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/fuzzcorpus"
	"github.com/symgrad/symgrad/safetensors"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/fuzz/FuzzLoadCheckpoint's seed corpus")

// tinyModel is a hand-assembled model (fc1 = Linear(3, 2), bn1 =
// BatchNorm1d(2)) whose checkpoints are small enough for the fuzzer to
// mutate effectively, with a buffer of every kind.
func tinyModel(t testing.TB, dt tensor.Dtype) *Model {
	g := G.NewGraph()
	rng := NewRNG(1)
	fc, err := NewLinear(g, "fc1", 3, 2, dt, rng)
	if err != nil {
		t.Fatal(err)
	}
	bn, err := NewBatchNorm(g, "bn1", 2, dt)
	if err != nil {
		t.Fatal(err)
	}
	m := &Model{Name: "tiny", Graph: g, Config: Config{Dtype: dt}}
	m.Add(fc, bn)
	return m
}

// FuzzLoadCheckpoint loads arbitrary bytes as a checkpoint of tinyModel,
// through LoadCheckpoint's code path after the file is read
// (safetensors.Decode, then loadFile; TestFuzzSeeds runs the corpus
// through LoadCheckpoint itself). It must never panic; a failed load must
// leave the model bit for bit unchanged; a successful one must leave every
// tensor with the model's dtype and shape.
func FuzzLoadCheckpoint(f *testing.F) {
	m := tinyModel(f, tensor.Float32)
	f.Fuzz(func(t *testing.T, data []byte) {
		before := snapshot(m)
		sf, err := safetensors.Decode(data)
		if err == nil {
			_, err = loadFile(sf, m)
		}
		if err != nil {
			if !reflect.DeepEqual(before, snapshot(m)) {
				t.Fatalf("a failed load (%v) changed the model", err)
			}
			return
		}
		for _, e := range m.state() {
			v := e.value()
			if v.Dtype() != e.dtype || !slices.Equal(v.Shape(), tensor.Shape(e.shape)) {
				t.Fatalf("%s is %v %v after loading, want %v %v", e.name, v.Dtype(), v.Shape(), e.dtype, e.shape)
			}
		}
	})
}

// snapshot copies the bit patterns of every state tensor.
func snapshot(m *Model) [][]uint64 {
	var out [][]uint64
	for _, e := range m.StateDict() {
		out = append(out, bits(e.Tensor))
	}
	return out
}

// TestWriteFuzzCorpus regenerates the seed corpus with -update-corpus: a
// valid checkpoint of each dtype, one with optimizer state, and damaged
// variants (truncated, transposed, wrong dtype, extra tensor).
func TestWriteFuzzCorpus(t *testing.T) {
	if !*updateCorpus {
		t.Skip("run with -update-corpus to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzLoadCheckpoint")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	enc := func(m *Model, opt map[string]*tensor.Dense, change func(map[string]*tensor.Dense)) []byte {
		ts := map[string]*tensor.Dense{}
		for _, e := range m.StateDict() {
			ts[e.Name] = e.Tensor
		}
		for k, v := range opt {
			ts["optimizer."+k] = v
		}
		if change != nil {
			change(ts)
		}
		var b bytes.Buffer
		md := map[string]string{MetaFormat: "pt", MetaVersion: CheckpointVersion, MetaModel: "tiny", MetaDtype: m.Dtype().String()}
		if err := safetensors.Encode(&b, ts, md); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	m32, m64 := tinyModel(t, tensor.Float32), tinyModel(t, tensor.Float64)
	valid := enc(m32, nil, nil)
	seeds := map[string][]byte{
		"valid_f32":    valid,
		"valid_f64":    enc(m64, nil, nil),
		"with_opt":     enc(m32, map[string]*tensor.Dense{"fc1.weight.m": Uniform(NewRNG(1), tensor.Float32, 1, 2, 3)}, nil),
		"truncated":    valid[:len(valid)-5],
		"header_only":  valid[:60],
		"transposed":   enc(m32, nil, func(ts map[string]*tensor.Dense) { ts["fc1.weight"] = Uniform(NewRNG(1), tensor.Float32, 1, 3, 2) }),
		"extra_tensor": enc(m32, nil, func(ts map[string]*tensor.Dense) { ts["fc9.bias"] = ts["fc1.bias"] }),
		"count_as_f32": enc(m32, nil, func(ts map[string]*tensor.Dense) {
			ts["bn1.num_batches_tracked"] = tensor.New(tensor.FromScalar(float32(1)))
		}),
		"empty": {},
	}
	for name, data := range seeds {
		if err := os.WriteFile(filepath.Join(dir, name), fuzzcorpus.Encode(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFuzzSeeds checks that the seed corpus reaches both outcomes: the
// valid seeds load into tinyModel, the damaged ones are rejected.
func TestFuzzSeeds(t *testing.T) {
	valid := map[string]bool{"valid_f32": true, "with_opt": true}
	seeds := fuzzcorpus.Read(t, filepath.Join("testdata", "fuzz", "FuzzLoadCheckpoint"))
	if len(seeds) < 5 {
		t.Fatalf("seed corpus: %d files, want at least 5", len(seeds))
	}
	for _, s := range seeds {
		path := filepath.Join(t.TempDir(), "c")
		os.WriteFile(path, s.Data, 0o644)
		_, err := LoadCheckpoint(path, tinyModel(t, tensor.Float32))
		if (err == nil) != valid[s.Name] {
			t.Errorf("%s: load error %v, want success %v", s.Name, err, valid[s.Name])
		}
	}
}
