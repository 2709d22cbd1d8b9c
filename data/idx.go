package data

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// The IDX format (Yann LeCun's, for MNIST): a 4-byte big-endian magic number
// 0x0000TTDD, where TT is the element type and DD the number of dimensions,
// then DD big-endian uint32 sizes, then the values, big-endian, row-major.
// MNIST's images are 0x00000803 (uint8, 3 dims [N,28,28]) and its labels
// 0x00000801 (uint8, 1 dim [N]).

// idxType describes one IDX element type.
type idxType struct {
	code  byte
	size  int
	dtype tensor.Dtype
}

// idxTypes lists the IDX element types, each with its tensor dtype.
var idxTypes = [...]idxType{
	{0x08, 1, tensor.Uint8},
	{0x09, 1, tensor.Int8},
	{0x0B, 2, tensor.Int16},
	{0x0C, 4, tensor.Int32},
	{0x0D, 4, tensor.Float32},
	{0x0E, 8, tensor.Float64},
}

// ReadIDX reads one IDX array from r, gzipped or not (detected by the gzip
// magic bytes), as a tensor of the matching dtype: 0x08 uint8, 0x09 int8,
// 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64, shaped as the header's
// dimensions. Errors name the file (name) and the byte offset, in the
// decompressed stream for a gzipped file; a file shorter or longer than its
// header declares is an error, and no memory is allocated from the declared
// size before the data is there.
//
// The declared size and the bytes read (decompressed) are limited to
// DefaultMaxBytes unless the MaxBytes option says otherwise: a larger file
// is a *TooLargeError, refused before its data is read.
func ReadIDX(r io.Reader, name string, opts ...ReadOption) (*tensor.Dense, error) {
	return readIDX(r, name, -1, readLimit(opts))
}

// LoadIDX reads the IDX file at path with ReadIDX; for an uncompressed file
// the declared size is checked against the file's length before reading.
func LoadIDX(path string, opts ...ReadOption) (*tensor.Dense, error) {
	f, name, size, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readIDX(f, name, size, readLimit(opts))
}

// readIDX reads an IDX array; size is the length of r when known, else -1;
// limit bounds the bytes read.
func readIDX(r io.Reader, name string, size, limit int64) (*tensor.Dense, error) {
	r, gz, err := maybeGunzip(r, name, limit)
	if err != nil {
		return nil, err
	}
	if gz {
		size = -1
	}
	typ, dims, err := readIDXHeader(r, name)
	if err != nil {
		return nil, err
	}
	header := int64(4 + 4*len(dims))
	count, err := checkSize("IDX", dims...)
	if err != nil {
		return nil, errors.Errorf("data: %s: byte offset 4: dimensions %v exceed %d values", name, dims, maxElements)
	}
	want := int64(count) * int64(typ.size)
	if size >= 0 && header+want != size {
		return nil, errors.Errorf("data: %s: byte offset %d: the header declares %v x %d-byte values (%d bytes), the file holds %d",
			name, header, dims, typ.size, want, size-header)
	}
	if header+want > limit {
		return nil, &TooLargeError{Name: name, Limit: limit, Gzip: gz, Need: want, Offset: header}
	}
	raw, err := readExactly(r, name, header, want, size >= 0)
	if err != nil {
		return nil, err
	}
	return decodeIDX(raw, typ, dims), nil
}

// readIDXHeader reads the magic number and the dimensions.
func readIDXHeader(r io.Reader, name string) (idxType, []int, error) {
	var magic [4]byte
	if n, err := io.ReadFull(r, magic[:]); err != nil {
		return idxType{}, nil, errors.Errorf("data: %s: byte offset %d: file ends inside the 4-byte magic number", name, n)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return idxType{}, nil, errors.Errorf("data: %s: byte offset 0: magic 0x%08x does not start with two zero bytes: not an IDX file",
			name, binary.BigEndian.Uint32(magic[:]))
	}
	var typ idxType
	for _, t := range idxTypes {
		if t.code == magic[2] {
			typ = t
		}
	}
	if typ.size == 0 {
		return idxType{}, nil, errors.Errorf("data: %s: byte offset 2: unknown IDX data type 0x%02x", name, magic[2])
	}
	if magic[3] == 0 {
		return idxType{}, nil, errors.Errorf("data: %s: byte offset 3: 0 dimensions", name)
	}
	buf := make([]byte, 4*int(magic[3]))
	if n, err := io.ReadFull(r, buf); err != nil {
		return idxType{}, nil, errors.Errorf("data: %s: byte offset %d: file ends inside the %d dimensions", name, 4+n, magic[3])
	}
	dims := make([]int, magic[3])
	for i := range dims {
		d := binary.BigEndian.Uint32(buf[4*i:])
		if d == 0 || d > math.MaxInt32 {
			return idxType{}, nil, errors.Errorf("data: %s: byte offset %d: dimension %d has size %d", name, 4+4*i, i, d)
		}
		dims[i] = int(d)
	}
	return typ, dims, nil
}

// readExactly reads want bytes starting at byte offset off and checks that
// nothing follows. With trusted (want checked against the file length) the
// buffer is allocated at once; otherwise it grows with the data read.
func readExactly(r io.Reader, name string, off, want int64, trusted bool) ([]byte, error) {
	var buf bytes.Buffer
	if trusted {
		buf.Grow(int(want))
	}
	n, err := io.CopyN(&buf, r, want)
	if err != nil && err != io.EOF {
		return nil, errors.Wrapf(err, "data: %s: byte offset %d", name, off+n)
	}
	if n < want {
		return nil, errors.Errorf("data: %s: byte offset %d: data ends after %d of the %d bytes the header declares", name, off+n, n, want)
	}
	var extra [1]byte
	m, err := io.ReadFull(r, extra[:])
	var big *TooLargeError
	if m > 0 || errors.As(err, &big) {
		return nil, errors.Errorf("data: %s: byte offset %d: unexpected data after the %d bytes the header declares", name, off+want, want)
	}
	return buf.Bytes(), nil
}

// decodeIDX converts big-endian raw values of type typ into a tensor.
func decodeIDX(raw []byte, typ idxType, dims []int) *tensor.Dense {
	var backing any
	switch typ.code {
	case 0x08:
		backing = raw
	case 0x09:
		backing = decodeBE(raw, 1, func(b []byte) int8 { return int8(b[0]) })
	case 0x0B:
		backing = decodeBE(raw, 2, func(b []byte) int16 { return int16(binary.BigEndian.Uint16(b)) })
	case 0x0C:
		backing = decodeBE(raw, 4, func(b []byte) int32 { return int32(binary.BigEndian.Uint32(b)) })
	case 0x0D:
		backing = decodeBE(raw, 4, func(b []byte) float32 { return math.Float32frombits(binary.BigEndian.Uint32(b)) })
	case 0x0E:
		backing = decodeBE(raw, 8, func(b []byte) float64 { return math.Float64frombits(binary.BigEndian.Uint64(b)) })
	}
	return tensor.New(tensor.WithShape(dims...), tensor.WithBacking(backing))
}

// decodeBE decodes consecutive size-byte values of raw with f.
func decodeBE[T any](raw []byte, size int, f func([]byte) T) []T {
	out := make([]T, len(raw)/size)
	for i := range out {
		out[i] = f(raw[i*size : (i+1)*size])
	}
	return out
}

// WriteIDX writes t in the IDX format (uncompressed). Its dtype must be one
// of the IDX types (uint8, int8, int16, int32, float32, float64) and it must
// have 1 to 255 dimensions, each below 2^31.
func WriteIDX(w io.Writer, t *tensor.Dense) error {
	if t == nil || t.Dims() < 1 || t.Dims() > 255 {
		return errors.New("data: WriteIDX: need a tensor of 1 to 255 dimensions")
	}
	t = contiguous(t)
	var typ idxType
	for _, it := range idxTypes {
		if it.dtype == t.Dtype() {
			typ = it
		}
	}
	if typ.size == 0 {
		return errors.Errorf("data: WriteIDX: dtype %v has no IDX type", t.Dtype())
	}
	out := []byte{0, 0, typ.code, byte(t.Dims())}
	for _, d := range t.Shape() {
		out = binary.BigEndian.AppendUint32(out, uint32(d))
	}
	out = appendIDXValues(out, t)
	_, err := w.Write(out)
	return errors.Wrap(err, "data: WriteIDX")
}

// appendIDXValues appends t's values, big-endian, to out.
func appendIDXValues(out []byte, t *tensor.Dense) []byte {
	be := binary.BigEndian
	switch t.Dtype() {
	case tensor.Uint8:
		return append(out, t.Uint8s()...)
	case tensor.Int8:
		for _, v := range t.Int8s() {
			out = append(out, byte(v))
		}
	case tensor.Int16:
		for _, v := range t.Int16s() {
			out = be.AppendUint16(out, uint16(v))
		}
	case tensor.Int32:
		for _, v := range t.Int32s() {
			out = be.AppendUint32(out, uint32(v))
		}
	case tensor.Float32:
		for _, v := range t.Float32s() {
			out = be.AppendUint32(out, math.Float32bits(v))
		}
	case tensor.Float64:
		for _, v := range t.Float64s() {
			out = be.AppendUint64(out, math.Float64bits(v))
		}
	}
	return out
}
