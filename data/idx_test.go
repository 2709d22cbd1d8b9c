package data

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"gorgonia.org/tensor"
)

// TestIDXGolden reads IDX files written with Python's struct module, one per
// element type, plain and gzipped, and writes them back byte for byte.
func TestIDXGolden(t *testing.T) {
	var ref map[string]struct {
		Code   int
		Shape  []int
		Values []float64
	}
	readGolden(t, "idx.json", &ref)
	dtypes := map[int]tensor.Dtype{0x08: tensor.Uint8, 0x09: tensor.Int8, 0x0B: tensor.Int16, 0x0C: tensor.Int32, 0x0D: tensor.Float32, 0x0E: tensor.Float64}
	for name, want := range ref {
		for _, file := range []string{name, name + ".gz"} {
			t.Run(file, func(t *testing.T) {
				path := filepath.Join("testdata", "idx", file)
				got, err := LoadIDX(path)
				if err != nil {
					t.Fatal(err)
				}
				if got.Dtype() != dtypes[want.Code] || !slices.Equal([]int(got.Shape()), want.Shape) {
					t.Fatalf("%v %v, want %v %v", got.Dtype(), got.Shape(), dtypes[want.Code], want.Shape)
				}
				f, err := convertFloat(got, tensor.Float64)
				if err != nil {
					t.Fatal(err)
				}
				assertClose(t, "values", f.Float64s(), want.Values, 0)
				var buf bytes.Buffer
				if err := WriteIDX(&buf, got); err != nil {
					t.Fatal(err)
				}
				raw, _ := os.ReadFile(filepath.Join("testdata", "idx", name))
				if !bytes.Equal(buf.Bytes(), raw) {
					t.Fatalf("WriteIDX = % x, want % x", buf.Bytes(), raw)
				}
			})
		}
	}
}

func TestLoadMNIST(t *testing.T) {
	d, err := LoadMNIST(filepath.Join("testdata", "idx", "mnist-images-idx3-ubyte"), filepath.Join("testdata", "idx", "mnist-labels-idx1-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if !d.X.Shape().Eq(tensor.Shape{3, 1, 2, 2}) || !slices.Equal(d.Y.Int64s(), []int64{7, 0, 9}) || len(d.ClassNames) != 10 {
		t.Fatalf("got %v labels %v", d, d.Y.Int64s())
	}
	assertClose(t, "image 0", sampleOf(d, 0), []float64{0, 1, 0.2, 0.4}, 1e-15)
	flat, _ := d.Flatten()
	if !flat.X.Shape().Eq(tensor.Shape{3, 4}) {
		t.Fatalf("flatten %v", flat.X.Shape())
	}
	u8 := func(shape ...int) *tensor.Dense { return newDense(tensor.Uint8, shape...) }
	for _, c := range []struct {
		images, labels *tensor.Dense
		want           string
	}{
		{u8(3, 4), u8(3), "want [N,H,W]"},
		{u8(3, 2, 2), u8(2), "3 images"},
		{u8(3, 2, 2), newDense(tensor.Float32, 3), "integer type"},
		{u8(1, 2, 2), tensor.New(tensor.WithShape(1), tensor.WithBacking([]int8{-3})), "negative class index"},
	} {
		_, err := MNIST(c.images, c.labels, "m")
		assertErrContains(t, err, c.want)
	}
}

// idxHeader builds an IDX header for type code and dims.
func idxHeader(code byte, dims ...uint32) []byte {
	b := []byte{0, 0, code, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return b
}

func TestReadIDXErrorsGiveByteOffsets(t *testing.T) {
	cases := []struct {
		name  string
		data  []byte
		parts []string
	}{
		{"empty", nil, []string{"byte offset 0", "magic number"}},
		{"short magic", []byte{0, 0}, []string{"byte offset 2", "magic number"}},
		{"not IDX", []byte{'P', 'K', 3, 4}, []string{"byte offset 0", "not an IDX file"}},
		{"unknown type", idxHeader(0x0A, 1), []string{"byte offset 2", "unknown IDX data type 0x0a"}},
		{"no dims", idxHeader(0x08), []string{"byte offset 3", "0 dimensions"}},
		{"short dims", idxHeader(0x08, 2, 3)[:9], []string{"byte offset 9", "inside the 2 dimensions"}},
		{"zero dim", idxHeader(0x08, 2, 0), []string{"byte offset 8", "dimension 1 has size 0"}},
		{"huge dim", idxHeader(0x08, 0xFFFFFFFF), []string{"byte offset 4", "dimension 0 has size 4294967295"}},
		{"truncated", append(idxHeader(0x0B, 3), 0, 1, 0, 2, 0), []string{"byte offset 13", "after 5 of the 6 bytes"}},
		{"trailing", append(idxHeader(0x08, 2), 1, 2, 3), []string{"byte offset 10", "unexpected data"}},
		{"absurd size", idxHeader(0x0E, 0x7FFFFFFF, 0x7FFFFFFF, 0x7FFFFFFF), []string{"byte offset 4", "exceed"}},
		{"large but missing", idxHeader(0x0E, 1<<14, 1<<14), []string{"byte offset 12", "2147483648 bytes of data, more than the limit"}},
		{"missing, under the limit", idxHeader(0x0E, 1<<10, 1<<10), []string{"byte offset 12", "after 0 of the 8388608 bytes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := ReadIDX(bytes.NewReader(c.data), "f.idx")
			assertErrContains(t, err, append([]string{"data: f.idx: "}, c.parts...)...)
			if time.Since(start) > time.Second {
				t.Fatalf("took %v: allocated from the declared size?", time.Since(start))
			}
		})
	}
}

func TestLoadIDXChecksFileLength(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.idx")
	os.WriteFile(short, append(idxHeader(0x0D, 1<<20, 1<<10), 1, 2, 3, 4), 0o644)
	_, err := LoadIDX(short)
	assertErrContains(t, err, "short.idx: byte offset 12", "4294967296 bytes", "the file holds 4")
	if _, err := LoadIDX(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestWriteIDXRoundTripAndErrors(t *testing.T) {
	x := tensor.New(tensor.WithShape(2, 1, 2), tensor.WithBacking([]float32{1.5, -2, float32(math.Inf(1)), 0}))
	var buf bytes.Buffer
	if err := WriteIDX(&buf, x); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes()[:4], []byte{0, 0, 0x0D, 3}) {
		t.Fatalf("magic % x", buf.Bytes()[:4])
	}
	back, err := ReadIDX(&buf, "rt")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Float32s(), x.Float32s()) || !back.Shape().Eq(x.Shape()) {
		t.Fatalf("round trip %v", back)
	}
	if err := WriteIDX(&buf, newDense(tensor.Int64, 2)); err == nil {
		t.Fatal("int64 has no IDX type")
	}
	if err := WriteIDX(&buf, nil); err == nil {
		t.Fatal("nil accepted")
	}
}
