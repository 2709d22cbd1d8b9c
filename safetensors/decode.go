package safetensors

import (
	"fmt"
	"math"
	"math/bits"
	"os"
	"slices"
	"sort"

	"gorgonia.org/tensor"
)

// maxHeaderSize is the largest header accepted, as in the Rust crate.
const maxHeaderSize = 100_000_000

// File is the content of a safetensors file.
type File struct {
	// Tensors maps names to tensors. F16 and BF16 tensors are converted to
	// Float32; every other dtype keeps its width and signedness.
	Tensors map[string]*tensor.Dense
	// Metadata is the header's "__metadata__" map; empty, not nil, if absent.
	Metadata map[string]string
	// Order lists the tensor names in the order the header gives them.
	Order []string
	// Dtypes maps names to the dtype stored in the file ("F64", "BF16", ...).
	Dtypes map[string]string
	// Path is the file read, "" for Decode.
	Path string
}

// Tensor returns the tensor called name, or an error naming the file and
// the tensor if there is none.
func (f *File) Tensor(name string) (*tensor.Dense, error) {
	if t, ok := f.Tensors[name]; ok {
		return t, nil
	}
	op := "read"
	if f.Path == "" {
		op = "decode"
	}
	return nil, &Error{Op: op, Path: f.Path, Tensor: name,
		Err: fmt.Errorf("not in the file (it has %d tensors: %v)", len(f.Order), f.Order)}
}

// Read reads and validates the safetensors file at path. See Decode for the
// checks made.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Op: "read", Path: path, Err: err}
	}
	f, err := decode(data)
	if err != nil {
		return nil, at(err, "read", path)
	}
	f.Path = path
	return f, nil
}

// Decode parses a whole safetensors file held in data. It never panics, and
// it checks every size against len(data) before allocating, so what it
// allocates is in proportion to len(data), whatever the header claims. It
// rejects, naming the tensor
// at fault where there is one: a header size beyond the data or above 100 MB;
// a header that is not one JSON object (padding whitespace may follow it) or
// has duplicate keys, unknown fields, non-string metadata values or an
// unsupported dtype; shapes with negative, non-integer or overflowing sizes;
// data_offsets that are reversed, beyond the data, or not dtype size × number
// of elements apart; and a data region with holes, overlaps or trailing bytes.
// BOOL bytes other than 0 and 1 are rejected too.
func Decode(data []byte) (*File, error) {
	f, err := decode(data)
	return f, at(err, "decode", "")
}

func decode(data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, fault("", "file is %d bytes, too short for the 8-byte header size", len(data))
	}
	n := le.Uint64(data)
	if n > maxHeaderSize {
		return nil, fault("", "header size %d is above the %d-byte limit", n, maxHeaderSize)
	}
	if n > uint64(len(data)-8) {
		return nil, fault("", "header size %d runs past the end of the %d-byte file", n, len(data))
	}
	h, err := parseHeader(data[8 : 8+n])
	if err != nil {
		return nil, err
	}
	body := data[8+n:]
	if err := checkLayout(h.entries, uint64(len(body))); err != nil {
		return nil, err
	}
	f := &File{
		Tensors:  make(map[string]*tensor.Dense, len(h.entries)),
		Metadata: h.metadata,
		Order:    make([]string, 0, len(h.entries)),
		Dtypes:   make(map[string]string, len(h.entries)),
	}
	for _, e := range h.entries {
		t, err := newDense(e, body[e.begin:e.end])
		if err != nil {
			return nil, err
		}
		f.Tensors[e.name] = t
		f.Order = append(f.Order, e.name)
		f.Dtypes[e.name] = e.dt.name
	}
	return f, nil
}

// numElements returns the product of shape, or false if it overflows.
// A shape with a 0 has no elements whatever its other sizes; [] has one.
func numElements(shape []int) (uint64, bool) {
	if slices.Contains(shape, 0) {
		return 0, true
	}
	n := uint64(1)
	for _, d := range shape {
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// checkLayout checks each entry's offsets against its dtype and shape and
// against bodyLen, then that the entries, sorted by offset, tile the data
// region exactly: no holes, no overlaps, no trailing bytes. (The Rust crate
// requires the same; tensors may appear in the header in any order.)
func checkLayout(entries []entry, bodyLen uint64) error {
	for _, e := range entries {
		if e.end < e.begin {
			return fault(e.name, "data_offsets [%d, %d] end before they begin", e.begin, e.end)
		}
		if e.end > bodyLen {
			return fault(e.name, "data_offsets [%d, %d] run past the %d-byte data region", e.begin, e.end, bodyLen)
		}
		numel, ok := numElements(e.shape)
		if !ok {
			return fault(e.name, "shape %v has too many elements", e.shape)
		}
		if hi, want := bits.Mul64(numel, uint64(e.dt.size)); hi != 0 || e.end-e.begin != want {
			return fault(e.name, "data_offsets [%d, %d] hold %d bytes, but %s %v needs %d × %d bytes",
				e.begin, e.end, e.end-e.begin, e.dt.name, e.shape, numel, e.dt.size)
		}
	}
	sorted := slices.Clone(entries)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		return a.begin < b.begin || (a.begin == b.begin && a.end < b.end)
	})
	var pos uint64
	prev := "the data region"
	for _, e := range sorted {
		switch {
		case e.begin > pos:
			return fault(e.name, "begins at %d, leaving a hole of %d bytes after %s", e.begin, e.begin-pos, prev)
		case e.begin < pos:
			return fault(e.name, "begins at %d, overlapping %s, which ends at %d", e.begin, prev, pos)
		}
		pos, prev = e.end, fmt.Sprintf("tensor %q", e.name)
	}
	if pos != bodyLen {
		return fault("", "%d trailing bytes after the last tensor's data", bodyLen-pos)
	}
	return nil
}

// newDense converts the bytes b of entry e, whose length checkLayout has
// checked, into a tensor.
func newDense(e entry, b []byte) (t *tensor.Dense, err error) {
	var vals any
	switch e.dt.name {
	case "F64":
		vals = decodeLE(b, 8, func(p []byte) float64 { return math.Float64frombits(le.Uint64(p)) })
	case "F32":
		vals = decodeLE(b, 4, func(p []byte) float32 { return math.Float32frombits(le.Uint32(p)) })
	case "F16":
		vals = decodeLE(b, 2, func(p []byte) float32 { return halfToFloat32(le.Uint16(p)) })
	case "BF16":
		vals = decodeLE(b, 2, func(p []byte) float32 { return bfloat16ToFloat32(le.Uint16(p)) })
	case "I64":
		vals = decodeLE(b, 8, func(p []byte) int64 { return int64(le.Uint64(p)) })
	case "U64":
		vals = decodeLE(b, 8, func(p []byte) uint64 { return le.Uint64(p) })
	case "I32":
		vals = decodeLE(b, 4, func(p []byte) int32 { return int32(le.Uint32(p)) })
	case "U32":
		vals = decodeLE(b, 4, func(p []byte) uint32 { return le.Uint32(p) })
	case "I16":
		vals = decodeLE(b, 2, func(p []byte) int16 { return int16(le.Uint16(p)) })
	case "U16":
		vals = decodeLE(b, 2, func(p []byte) uint16 { return le.Uint16(p) })
	case "I8":
		vals = decodeLE(b, 1, func(p []byte) int8 { return int8(p[0]) })
	case "U8":
		vals = slices.Clone(b)
	case "BOOL":
		if i := slices.IndexFunc(b, func(c byte) bool { return c > 1 }); i >= 0 {
			return nil, fault(e.name, "BOOL element %d is byte %#02x, not 0 or 1", i, b[i])
		}
		vals = decodeLE(b, 1, func(p []byte) bool { return p[0] == 1 })
	default:
		return nil, fault(e.name, "unsupported dtype %s", e.dt.name) // unreachable: parseDtype checked
	}
	err = guard(e.name, func() error {
		t = build(e.dt.mem, e.shape, vals)
		return nil
	})
	return t, err
}

// decodeLE decodes b as little-endian elements of size bytes each.
func decodeLE[T any](b []byte, size int, get func([]byte) T) []T {
	out := make([]T, len(b)/size)
	for i := range out {
		out[i] = get(b[i*size:])
	}
	return out
}

// build makes a tensor of dtype dt and shape from vals, a []T holding the
// elements in row-major order. Empty tensors (a 0 in shape) get no backing,
// and 0-d tensors are made with tensor.FromScalar: shape (), Dims() == 0,
// Data() returns the element itself.
func build(dt tensor.Dtype, shape []int, vals any) *tensor.Dense {
	switch {
	case len(shape) == 0:
		return tensor.New(tensor.FromScalar(first(vals)))
	case slices.Contains(shape, 0):
		return tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
}
