package safetensors

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// pyHeader pads a header the way the Rust crate does: spaces up to a
// multiple of 8 bytes.
func pyHeader(json string) string {
	return json + strings.Repeat(" ", (8-len(json)%8)%8)
}

// goldenBytes builds, by hand, the file that this Python program writes
// (safetensors 0.4, torch 2): the Rust writer sorts tensors by dtype (I64,
// F64, F32, I32, BOOL here) then by name, puts "__metadata__" first, writes
// compact JSON padded with spaces to a multiple of 8, then the data.
//
//	import torch
//	from safetensors.torch import save_file
//	save_file({
//	    "bn.num_batches_tracked": torch.tensor(3),
//	    "bn.running_mean": torch.tensor([0.5, -0.25], dtype=torch.float64),
//	    "fc.weight": torch.tensor([[1, 2, 3], [-4, 5.5, 0]]),
//	    "fc.bias": torch.tensor([0.125, -1.0]),
//	    "empty": torch.zeros(0, 2),
//	    "labels": torch.tensor([2, 0, -1], dtype=torch.int32),
//	    "mask": torch.tensor([True, False, True]),
//	}, "golden.safetensors", metadata={"format": "pt"})
func goldenBytes() []byte {
	header := pyHeader(`{"__metadata__":{"format":"pt"},` +
		`"bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]},` +
		`"bn.running_mean":{"dtype":"F64","shape":[2],"data_offsets":[8,24]},` +
		`"empty":{"dtype":"F32","shape":[0,2],"data_offsets":[24,24]},` +
		`"fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},` +
		`"fc.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[32,56]},` +
		`"labels":{"dtype":"I32","shape":[3],"data_offsets":[56,68]},` +
		`"mask":{"dtype":"BOOL","shape":[3],"data_offsets":[68,71]}}`)
	return rawFile(header,
		[]byte{3, 0, 0, 0, 0, 0, 0, 0},                                     // int64 3
		[]byte{0, 0, 0, 0, 0, 0, 0xe0, 0x3f, 0, 0, 0, 0, 0, 0, 0xd0, 0xbf}, // 0.5, -0.25
		[]byte{0, 0, 0, 0x3e, 0, 0, 0x80, 0xbf},                            // float32 0.125, -1
		f32s(1, 2, 3, -4, 5.5, 0),
		le32(2, 0, 0xffffffff),
		[]byte{1, 0, 1},
	)
}

// goldenTensors is the dict of the Python program above, as Go tensors.
func goldenTensors() map[string]*tensor.Dense {
	return map[string]*tensor.Dense{
		"bn.num_batches_tracked": tensor.New(tensor.FromScalar(int64(3))),
		"bn.running_mean":        tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0.5, -0.25})),
		"fc.weight":              tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, -4, 5.5, 0})),
		"fc.bias":                tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0.125, -1})),
		"empty":                  tensor.New(tensor.WithShape(0, 2), tensor.Of(tensor.Float32)),
		"labels":                 tensor.New(tensor.WithShape(3), tensor.WithBacking([]int32{2, 0, -1})),
		"mask":                   tensor.New(tensor.WithShape(3), tensor.WithBacking([]bool{true, false, true})),
	}
}

// checkGolden compares testdata/name with want, rewriting it under -update.
func checkGolden(t *testing.T, name string, want []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the hand-built bytes:\n got %q\nwant %q", path, got, want)
	}
	return got
}

// TestGoldenPython reads the file Python would write and checks that
// Encode writes the same bytes for the same tensors.
func TestGoldenPython(t *testing.T) {
	golden := checkGolden(t, "python.safetensors", goldenBytes())
	f, err := Read(filepath.Join("testdata", "python.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	want := goldenTensors()
	for name, w := range want {
		sameTensor(t, name, f.Tensors[name], w)
	}
	wantOrder := []string{"bn.num_batches_tracked", "bn.running_mean", "empty", "fc.bias", "fc.weight", "labels", "mask"}
	if !slices.Equal(f.Order, wantOrder) {
		t.Errorf("order %v, want %v", f.Order, wantOrder)
	}
	if f.Metadata["format"] != "pt" || f.Dtypes["mask"] != "BOOL" {
		t.Errorf("metadata %v, dtypes %v", f.Metadata, f.Dtypes)
	}
	if got := encode(t, want, map[string]string{"format": "pt"}); !bytes.Equal(got, golden) {
		t.Errorf("Encode differs from Python's bytes:\n got %q\nwant %q", got, golden)
	}
}

// TestGoldenHalf reads F16 and BF16 tensors, which are read as Float32.
func TestGoldenHalf(t *testing.T) {
	// torch.tensor([1, -2, 65504, 2**-24, inf, nan], dtype=torch.float16) and
	// torch.tensor([1, -0.5, 3.140625, -inf], dtype=torch.bfloat16).
	header := pyHeader(`{"b":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]},` +
		`"h":{"dtype":"F16","shape":[2,3],"data_offsets":[8,20]}}`)
	raw := rawFile(header,
		le16(0x3f80, 0xbf00, 0x4049, 0xff80),
		le16(0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x7e00))
	checkGolden(t, "half.safetensors", raw)
	f, err := Read(filepath.Join("testdata", "half.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	nan := math.Float32frombits(0x7fc00000) // 0x7e00 widened: quiet bit kept
	sameTensor(t, "b", f.Tensors["b"], tensor.New(tensor.WithShape(4),
		tensor.WithBacking([]float32{1, -0.5, 3.140625, float32(math.Inf(-1))})))
	sameTensor(t, "h", f.Tensors["h"], tensor.New(tensor.WithShape(2, 3),
		tensor.WithBacking([]float32{1, -2, 65504, 0x1p-24, float32(math.Inf(1)), nan})))
	if f.Dtypes["b"] != "BF16" || f.Dtypes["h"] != "F16" {
		t.Errorf("dtypes %v", f.Dtypes)
	}
}

// TestHalfExhaustive checks all 65536 binary16 values against the textbook
// formula, computed in float64.
func TestHalfExhaustive(t *testing.T) {
	for h := range 1 << 16 {
		sign, exp, man := h>>15, (h>>10)&0x1f, h&0x3ff
		var want float64
		switch exp {
		case 0:
			want = math.Ldexp(float64(man)/1024, -14)
		case 0x1f:
			want = math.Inf(1)
		default:
			want = math.Ldexp(1+float64(man)/1024, exp-15)
		}
		if sign == 1 {
			want = -want
		}
		got := halfToFloat32(uint16(h))
		if exp == 0x1f && man != 0 {
			bits := math.Float32bits(got)
			if !math.IsNaN(float64(got)) || bits>>31 != uint32(sign) || bits&0x7fffff != uint32(man)<<13 {
				t.Fatalf("%#04x: got %#08x, want a NaN with the same sign and payload", h, bits)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != (sign == 1) {
			t.Fatalf("%#04x: got %g, want %g", h, got, want)
		}
	}
}

// TestRustCrateVectors checks Encode against byte strings that the Rust
// safetensors crate's own tests expect from its serializer (the one behind
// Python's save_file): no padding needed, padding of 7 spaces, no tensors,
// and metadata only.
func TestRustCrateVectors(t *testing.T) {
	vals := []float32{0, 1, 2, 3, 4, 5}
	cases := []struct {
		name    string
		tensors map[string]*tensor.Dense
		md      map[string]string
		want    []byte
	}{
		{"attn.0", map[string]*tensor.Dense{"attn.0": tensor.New(tensor.WithShape(1, 2, 3), tensor.WithBacking(vals))}, nil,
			rawFile(`{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`, f32s(vals...))},
		{"attn0", map[string]*tensor.Dense{"attn0": tensor.New(tensor.WithShape(1, 1, 2, 3), tensor.WithBacking(vals))}, nil,
			rawFile(`{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       `, f32s(vals...))},
		{"empty", nil, nil, rawFile(`{}      `)},
		{"metadata", nil, map[string]string{"framework": "pt"}, rawFile(`{"__metadata__":{"framework":"pt"}}     `)},
	}
	for _, c := range cases {
		if got := encode(t, c.tensors, c.md); !bytes.Equal(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
		if _, err := Decode(c.want); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
