package safetensors

import (
	"bufio"
	"errors"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"unicode/utf8"

	"gorgonia.org/tensor"
)

// item is one tensor ready to be written.
type item struct {
	name  string
	dt    *dtype
	shape []int
	vals  any // []T of the tensor's elements in row-major order
}

// plan is a validated file ready to be written: the padded header, then the
// items' data in order.
type plan struct {
	header []byte
	items  []item
}

// Encode writes tensors and metadata to w in the safetensors format, as
// Python's safetensors.torch.save_file does, so that the bytes are the same:
// a compact JSON header ("__metadata__" first, keys sorted; then the tensors)
// padded with spaces to a multiple of 8 bytes, then the data, contiguous.
// Tensors are ordered by dtype as the Rust crate orders them (U64, I64, F64,
// F32, U32, I32, U16, I16, I8, U8, BOOL: widest first, which keeps each
// tensor's data aligned to its element size), then by name; a file whose
// tensors share one dtype is in name order. Metadata may be nil; empty metadata writes no "__metadata__".
//
// Everything is checked before the first byte is written: no nil or masked
// tensors, dtypes Float64, Float32, Int64, Int32, Int16, Int8, Uint64,
// Uint32, Uint16, Uint8 or Bool only, names and metadata valid UTF-8, and no
// tensor called "__metadata__". Views, transposes and column-major tensors
// are written in their logical row-major order.
func Encode(w io.Writer, tensors map[string]*tensor.Dense, metadata map[string]string) error {
	p, err := newPlan(tensors, metadata)
	if err != nil {
		return at(err, "encode", "")
	}
	return at(p.writeTo(w), "encode", "")
}

// newPlan checks the tensors and metadata, flattens the tensors and builds
// the header.
func newPlan(tensors map[string]*tensor.Dense, metadata map[string]string) (*plan, error) {
	p := &plan{items: make([]item, 0, len(tensors))}
	for name, t := range tensors {
		it, err := newItem(name, t)
		if err != nil {
			return nil, err
		}
		p.items = append(p.items, it)
	}
	sort.Slice(p.items, func(i, j int) bool {
		a, b := p.items[i], p.items[j]
		if a.dt.rank != b.dt.rank {
			return a.dt.rank > b.dt.rank
		}
		return a.name < b.name
	})
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, fault("", "metadata %q: key and value must be valid UTF-8", k)
		}
	}
	p.header = encodeHeader(p.items, metadata)
	if len(p.header) > maxHeaderSize {
		return nil, fault("", "header would be %d bytes, above the %d-byte limit", len(p.header), maxHeaderSize)
	}
	return p, nil
}

// newItem checks one tensor and flattens it.
func newItem(name string, t *tensor.Dense) (it item, err error) {
	switch {
	case name == metadataKey:
		return it, fault(name, "name is reserved for the metadata")
	case !utf8.ValidString(name):
		return it, fault(name, "name is not valid UTF-8")
	case t == nil:
		return it, fault(name, "tensor is nil")
	}
	err = guard(name, func() error {
		if t.Dtype().Type == nil {
			return fault(name, "invalid tensor: it has no dtype (a zero tensor.Dense?)")
		}
		it = item{name: name, shape: slices.Clone([]int(t.Shape()))}
		if it.dt = dtypeFor(t.Dtype()); it.dt == nil {
			return fault(name, "dtype %v cannot be written (writable: %s)", t.Dtype(), writableNames())
		}
		if t.Shape().TotalSize() > 0 && t.IsMasked() { // empty tensors count as masked
			return fault(name, "masked tensors cannot be written")
		}
		vals, err := rowMajor(t)
		it.vals = vals
		return err
	})
	return it, err
}

// encodeHeader renders the header JSON exactly as serde_json does in the
// Rust crate, padded with spaces to a multiple of 8 bytes.
func encodeHeader(items []item, metadata map[string]string) []byte {
	b := []byte{'{'}
	if len(metadata) > 0 {
		b = appendJSONString(b, metadataKey)
		b = append(b, ":{"...)
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, metadata[k])
		}
		b = append(b, '}')
	}
	var offset uint64
	for i, it := range items {
		if i > 0 || len(metadata) > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, it.name)
		b = append(b, `:{"dtype":"`...)
		b = append(b, it.dt.name...)
		b = append(b, `","shape":[`...)
		for j, d := range it.shape {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(d), 10)
		}
		n := uint64(reflectLen(it.vals) * it.dt.size)
		b = append(b, `],"data_offsets":[`...)
		b = strconv.AppendUint(b, offset, 10)
		b = append(b, ',')
		b = strconv.AppendUint(b, offset+n, 10)
		b = append(b, "]}"...)
		offset += n
	}
	b = append(b, '}')
	for len(b)%8 != 0 {
		b = append(b, ' ')
	}
	return b
}

// appendJSONString appends s (valid UTF-8) as a JSON string the way
// serde_json writes it: only '"', '\\' and control characters are escaped,
// the usual ones as \b \t \n \f \r, others as \u00xx.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, `\b`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\f':
			b = append(b, `\f`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// writeTo writes the file: header size, header, data.
func (p *plan) writeTo(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var size [8]byte
	le.PutUint64(size[:], uint64(len(p.header)))
	bw.Write(size[:])
	bw.Write(p.header)
	for _, it := range p.items {
		if err := writeValues(bw, it.vals); err != nil {
			return err
		}
	}
	return bw.Flush() // bufio keeps the first error, so earlier Writes need no check
}

// writeValues writes vals, a []T, as little-endian bytes. Floats are written
// from their bits, so NaN payloads and -0 survive.
func writeValues(w *bufio.Writer, vals any) error {
	switch v := vals.(type) {
	case []float64:
		return writeLE(w, v, 8, func(p []byte, x float64) { le.PutUint64(p, math.Float64bits(x)) })
	case []float32:
		return writeLE(w, v, 4, func(p []byte, x float32) { le.PutUint32(p, math.Float32bits(x)) })
	case []int64:
		return writeLE(w, v, 8, func(p []byte, x int64) { le.PutUint64(p, uint64(x)) })
	case []uint64:
		return writeLE(w, v, 8, func(p []byte, x uint64) { le.PutUint64(p, x) })
	case []int32:
		return writeLE(w, v, 4, func(p []byte, x int32) { le.PutUint32(p, uint32(x)) })
	case []uint32:
		return writeLE(w, v, 4, func(p []byte, x uint32) { le.PutUint32(p, x) })
	case []int16:
		return writeLE(w, v, 2, func(p []byte, x int16) { le.PutUint16(p, uint16(x)) })
	case []uint16:
		return writeLE(w, v, 2, func(p []byte, x uint16) { le.PutUint16(p, x) })
	case []int8:
		return writeLE(w, v, 1, func(p []byte, x int8) { p[0] = byte(x) })
	case []uint8:
		_, err := w.Write(v)
		return err
	case []bool:
		return writeLE(w, v, 1, func(p []byte, x bool) {
			p[0] = 0
			if x {
				p[0] = 1
			}
		})
	}
	return errors.New("internal error: no encoder for " + reflectTypeName(vals))
}

// writeLE writes vals through put, size bytes each.
func writeLE[T any](w *bufio.Writer, vals []T, size int, put func([]byte, T)) error {
	var buf [8]byte
	for _, x := range vals {
		put(buf[:size], x)
		if _, err := w.Write(buf[:size]); err != nil {
			return err
		}
	}
	return nil
}
