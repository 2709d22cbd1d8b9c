package safetensors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// randomBacking returns n seeded random elements of dtype dt as a []T:
// normal floats, integers of random bits, random bools.
func randomBacking(dt tensor.Dtype, n int, r *rand.Rand) any {
	s := reflect.MakeSlice(reflect.SliceOf(dt.Type), n, n)
	for i := range n {
		switch e := s.Index(i); e.Kind() {
		case reflect.Float32, reflect.Float64:
			e.SetFloat(r.NormFloat64())
		case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			e.SetInt(int64(r.Uint64())) // the low bits, for the narrower ones
		case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			e.SetUint(r.Uint64())
		case reflect.Bool:
			e.SetBool(r.IntN(2) == 1)
		default:
			panic("no generator for " + dt.String())
		}
	}
	return s.Interface()
}

var writableDtypes = []tensor.Dtype{
	tensor.Float64, tensor.Float32, tensor.Int64, tensor.Int32, tensor.Int16, tensor.Int8,
	tensor.Uint64, tensor.Uint32, tensor.Uint16, tensor.Uint8, tensor.Bool,
}

// TestRoundTripEveryDtype writes every writable dtype in every kind of shape
// (0-d, vector, matrix, 3-d, empty) to a file and reads it back.
func TestRoundTripEveryDtype(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	shapes := [][]int{{}, {1}, {5}, {2, 3}, {2, 1, 4}, {0}, {2, 0, 3}}
	want := map[string]*tensor.Dense{}
	for _, dt := range writableDtypes {
		for _, sh := range shapes {
			name := fmt.Sprintf("%v%v", dt, sh)
			n := tensor.Shape(sh).TotalSize()
			if len(sh) == 0 {
				n = 1
			}
			want[name] = build(dt, sh, randomBacking(dt, n, r))
		}
	}
	path := filepath.Join(t.TempDir(), "all.safetensors")
	if err := Write(path, want, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != len(want) || len(f.Order) != len(want) {
		t.Fatalf("read %d tensors (order %d), want %d", len(f.Tensors), len(f.Order), len(want))
	}
	for name, w := range want {
		sameTensor(t, name, f.Tensors[name], w)
	}
	if f.Metadata["format"] != "pt" || len(f.Metadata) != 1 {
		t.Errorf("metadata %v", f.Metadata)
	}
}

// TestScalarShape checks the 0-d tensor that PyTorch's BatchNorm keeps as
// num_batches_tracked: shape [] in the file, Dims() == 0 and a scalar Data().
func TestScalarShape(t *testing.T) {
	in := map[string]*tensor.Dense{"bn.num_batches_tracked": tensor.New(tensor.FromScalar(int64(42)))}
	b := encode(t, in, nil)
	if !bytes.Contains(b, []byte(`"bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]}`)) {
		t.Errorf("header does not store shape []: %q", b)
	}
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	got := f.Tensors["bn.num_batches_tracked"]
	if got.Dims() != 0 || len(got.Shape()) != 0 || !got.IsScalar() {
		t.Errorf("shape %v dims %d, want () 0", got.Shape(), got.Dims())
	}
	if v, ok := got.Data().(int64); !ok || v != 42 {
		t.Errorf("Data() = %#v, want int64(42)", got.Data())
	}
	if !bytes.Equal(encode(t, f.Tensors, nil), b) {
		t.Error("re-encoding the decoded scalar changed the bytes")
	}
}

// TestSpecialFloats checks bit-identical round trips of NaN payloads, -0,
// infinities, subnormals and extremes.
func TestSpecialFloats(t *testing.T) {
	b64 := []uint64{
		0x7ff8000000000000, 0x7ff0000000000001, 0xfff8deadbeef0001, 0x7ffcafe000000000, // NaNs
		0x8000000000000000, 0, 0x7ff0000000000000, 0xfff0000000000000, // -0, 0, ±Inf
		1, 0x800fffffffffffff, 0x7fefffffffffffff, // subnormals, max
	}
	b32 := []uint32{0x7fc00000, 0x7f800001, 0xffc0beef, 0x80000000, 0x7f800000, 0xff800000, 1, 0x7f7fffff}
	f64 := make([]float64, len(b64))
	for i, b := range b64 {
		f64[i] = math.Float64frombits(b)
	}
	f32 := make([]float32, len(b32))
	for i, b := range b32 {
		f32[i] = math.Float32frombits(b)
	}
	in := map[string]*tensor.Dense{
		"f64": tensor.New(tensor.WithShape(len(f64)), tensor.WithBacking(f64)),
		"f32": tensor.New(tensor.WithShape(len(f32)), tensor.WithBacking(f32)),
		"s64": tensor.New(tensor.FromScalar(math.Float64frombits(0x7ff4000000000123))),
		"s32": tensor.New(tensor.FromScalar(math.Float32frombits(0x80000000))),
	}
	raw := encode(t, in, nil)
	if !bytes.Contains(raw, le64(b64...)) || !bytes.Contains(raw, le32(b32...)) {
		t.Error("encoded data are not the input bits")
	}
	f, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range in {
		sameTensor(t, name, f.Tensors[name], w)
	}
}

// TestWriteOrder checks Python's order (dtype, widest first, then name) and
// contiguous offsets, and that File.Order is the header order.
func TestWriteOrder(t *testing.T) {
	in := map[string]*tensor.Dense{
		"a.flag":   tensor.New(tensor.WithShape(3), tensor.WithBacking([]bool{true, false, true})),
		"b.weight": tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 2})),
		"a.weight": tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{3})),
		"c.count":  tensor.New(tensor.FromScalar(int64(1))),
		"d.double": tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{4})),
		"e.byte":   tensor.New(tensor.WithShape(1), tensor.WithBacking([]uint8{5})),
	}
	f, err := Decode(encode(t, in, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"c.count", "d.double", "a.weight", "b.weight", "e.byte", "a.flag"}
	if !slices.Equal(f.Order, want) {
		t.Errorf("order %v, want %v", f.Order, want)
	}
}

// TestMetadataEscaping checks that awkward metadata strings survive and that
// the header stays valid JSON for an independent parser.
func TestMetadataEscaping(t *testing.T) {
	md := map[string]string{
		"format": "pt", "quote\"back\\slash": "tab\tnew\nline\rcr\bbs\fff\x01\x1f\x7f",
		"unicode": "héllo → 世界 <&>", "": "",
	}
	raw := encode(t, nil, md)
	var parsed map[string]map[string]string
	if err := json.Unmarshal(raw[8:], &parsed); err != nil {
		t.Fatalf("header is not JSON: %v", err)
	}
	if !mapsEqual(parsed[metadataKey], md) {
		t.Errorf("encoding/json reads %q, want %q", parsed[metadataKey], md)
	}
	if !bytes.Contains(raw, []byte(`"tab\tnew\nline\rcr\bbs\fff\u0001\u001f`+"\x7f\"")) ||
		!bytes.Contains(raw, []byte("héllo → 世界 <&>")) {
		t.Errorf("escaping differs from serde_json's: %q", raw)
	}
	f, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !mapsEqual(f.Metadata, md) {
		t.Errorf("metadata %q, want %q", f.Metadata, md)
	}
	if len(raw)%8 != 0 {
		t.Errorf("file of %d bytes: header not padded to 8", len(raw))
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestEncodeLayouts checks that views, transposes and column-major tensors
// are written in logical row-major order.
func TestEncodeLayouts(t *testing.T) {
	base := func() *tensor.Dense {
		return tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))
	}
	fortran := func() *tensor.Dense { // [[1 2 3] [4 5 6]] stored column by column
		return tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 4, 2, 5, 3, 6}), tensor.AsFortran(nil))
	}
	tr, col, row := views(t, base)
	ftr, fcol, frow := views(t, fortran)
	cases := map[string]struct {
		in   *tensor.Dense
		want []float64
	}{
		"transposed":               {tr, []float64{1, 4, 2, 5, 3, 6}},
		"column view":              {col, []float64{2, 5}},
		"row view":                 {row, []float64{4, 5, 6}},
		"column-major":             {fortran(), []float64{1, 2, 3, 4, 5, 6}},
		"transposed column-major":  {ftr, []float64{1, 4, 2, 5, 3, 6}},
		"column of a column-major": {fcol, []float64{2, 5}},
		"row of a column-major":    {frow, []float64{4, 5, 6}},
	}
	for name, c := range cases {
		f, err := Decode(encode(t, map[string]*tensor.Dense{"x": c.in}, nil))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := f.Tensors["x"]
		if !slices.Equal([]int(got.Shape()), []int(c.in.Shape())) || !slices.Equal(got.Data().([]float64), c.want) {
			t.Errorf("%s: got %v %v, want %v %v", name, got.Shape(), got.Data(), c.in.Shape(), c.want)
		}
	}
}

// views returns the transpose of a matrix made by newMatrix, and the views
// of column 1 and row 1 of two more.
func views(t *testing.T, newMatrix func() *tensor.Dense) (tr, col, row *tensor.Dense) {
	t.Helper()
	tr = newMatrix()
	if err := tr.T(); err != nil {
		t.Fatal(err)
	}
	c, err := newMatrix().Slice(nil, tensor.S(1))
	if err != nil {
		t.Fatal(err)
	}
	r, err := newMatrix().Slice(tensor.S(1))
	if err != nil {
		t.Fatal(err)
	}
	return tr, c.(*tensor.Dense), r.(*tensor.Dense)
}

// TestEncodeRejects checks that bad input is refused before anything is
// written, with an error naming the tensor.
func TestEncodeRejects(t *testing.T) {
	masked := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}, []bool{false, true}))
	cases := []struct {
		name   string
		tensor *tensor.Dense
		want   string
	}{
		{"nil", nil, "nil"},
		{"goint", tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2})), "dtype int cannot be written"},
		{"complex", tensor.New(tensor.WithShape(1), tensor.WithBacking([]complex128{1})), "cannot be written"},
		{metadataKey, tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1})), "reserved"},
		{"bad\xffutf8", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1})), "UTF-8"},
		{"masked", masked, "masked"},
		{"zero", &tensor.Dense{}, "invalid tensor"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		err := Encode(&buf, map[string]*tensor.Dense{c.name: c.tensor, "ok": tensor.New(tensor.FromScalar(1.0))}, nil)
		if err == nil {
			t.Errorf("%q: no error", c.name)
			continue
		}
		if e := asError(t, err); e.Tensor != c.name || e.Op != "encode" || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %q (tensor %q), want one naming the tensor and saying %q", c.name, err, e.Tensor, c.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%q: %d bytes written before the error", c.name, buf.Len())
		}
	}
	if err := Encode(new(bytes.Buffer), nil, map[string]string{"k": "\xff"}); err == nil {
		t.Error("invalid UTF-8 metadata accepted")
	}
}

// TestAsFloat64 converts every dtype, 0-d and empty tensors and a view.
func TestAsFloat64(t *testing.T) {
	view, _ := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]int32{1, 2, 3, 4})).Slice(nil, tensor.S(0))
	cases := []struct {
		in   *tensor.Dense
		want []float64
	}{
		{tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{1.5, -2, float32(math.Inf(1))})), []float64{1.5, -2, math.Inf(1)}},
		{tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{-7, 1 << 53})), []float64{-7, 1 << 53}},
		{tensor.New(tensor.WithShape(2), tensor.WithBacking([]int8{-128, 127})), []float64{-128, 127}},
		{tensor.New(tensor.WithShape(2), tensor.WithBacking([]uint16{0, 65535})), []float64{0, 65535}},
		{tensor.New(tensor.WithShape(2), tensor.WithBacking([]uint8{0, 255})), []float64{0, 255}},
		{tensor.New(tensor.WithShape(2), tensor.WithBacking([]bool{true, false})), []float64{1, 0}},
		{tensor.New(tensor.FromScalar(int16(-3))), []float64{-3}},
		{view.(*tensor.Dense), []float64{1, 3}},
		{tensor.New(tensor.WithShape(0, 2), tensor.Of(tensor.Uint32)), nil},
	}
	for _, c := range cases {
		got, err := AsFloat64(c.in)
		if err != nil {
			t.Fatalf("%v: %v", c.in.Dtype(), err)
		}
		want := build(tensor.Float64, []int(c.in.Shape()), c.want)
		sameTensor(t, fmt.Sprintf("%v%v", c.in.Dtype(), c.in.Shape()), got, want)
	}
	src := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1}))
	cp, _ := AsFloat64(src)
	cp.Data().([]float64)[0] = 9
	if src.Data().([]float64)[0] != 1 {
		t.Error("AsFloat64 of a Float64 tensor shares memory")
	}
	if _, err := AsFloat64(nil); err == nil {
		t.Error("AsFloat64(nil) gave no error")
	}
}

// TestEncodePermuted3D writes a 3-d tensor with permuted axes; element
// [i,j,k] of the permuted tensor is element [j,k,i] of the original.
func TestEncodePermuted3D(t *testing.T) {
	orig := make([]int64, 24)
	for i := range orig {
		orig[i] = int64(i)
	}
	for _, order := range []string{"row-major", "column-major"} {
		back := slices.Clone(orig)
		opts := []tensor.ConsOpt{tensor.WithShape(2, 3, 4), tensor.WithBacking(back)}
		if order == "column-major" { // element [a,b,c] stored at a + 2b + 6c
			for a := range 2 {
				for b := range 3 {
					for c := range 4 {
						back[a+2*b+6*c] = int64(a*12 + b*4 + c)
					}
				}
			}
			opts = append(opts, tensor.AsFortran(nil))
		}
		x := tensor.New(opts...)
		if err := x.T(2, 0, 1); err != nil {
			t.Fatal(err)
		}
		var want []int64
		for i := range 4 {
			for j := range 2 {
				for k := range 3 {
					want = append(want, int64(j*12+k*4+i))
				}
			}
		}
		f, err := Decode(encode(t, map[string]*tensor.Dense{"x": x}, nil))
		if err != nil {
			t.Fatal(err)
		}
		got := f.Tensors["x"]
		if !slices.Equal([]int(got.Shape()), []int{4, 2, 3}) || !slices.Equal(got.Data().([]int64), want) {
			t.Errorf("%s: got %v %v, want (4, 2, 3) %v", order, got.Shape(), got.Data(), want)
		}
	}
}
