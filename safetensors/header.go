package safetensors

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// metadataKey is the reserved header key holding the string-to-string map.
const metadataKey = "__metadata__"

// entry is one tensor's record in the header.
type entry struct {
	name       string
	dt         *dtype
	shape      []int
	begin, end uint64 // data_offsets, relative to the data region
}

// header is a parsed header: tensors in header order, and metadata.
type header struct {
	entries  []entry
	metadata map[string]string
}

// maxTensors bounds the number of tensors in a header (65536; large
// language models hold a few thousand): a 100 MB header of a million
// zero-size tensors is refused at the 65537th instead of being decoded for
// seconds into hundreds of megabytes.
const maxTensors = 1 << 16

// parseHeader parses the JSON header strictly: one object whose keys are
// unique; "__metadata__" maps to an object of strings (or null); every other
// key maps to an object with exactly the fields dtype, shape and data_offsets.
// Whitespace may follow the object (writers pad with spaces), nothing else.
func parseHeader(raw []byte) (*header, error) {
	if !utf8.Valid(raw) {
		return nil, fault("", "header is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return nil, fault("", "header is not a JSON object: %v", err)
	}
	h := &header{metadata: map[string]string{}}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := next(dec)
		if err != nil {
			return nil, fault("", "header JSON: %v", err)
		}
		name := tok.(string) // object keys are always strings
		if seen[name] {
			return nil, fault(name, "duplicate key in header")
		}
		seen[name] = true
		if name == metadataKey {
			if err := parseMetadata(dec, h.metadata); err != nil {
				return nil, err
			}
			continue
		}
		if len(h.entries) == maxTensors {
			return nil, fault(name, "more than %d tensors in the header", maxTensors)
		}
		e, err := parseEntry(dec, name)
		if err != nil {
			return nil, err
		}
		h.entries = append(h.entries, e)
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, fault("", "header JSON: %v", err)
	}
	if tok, err := dec.Token(); err != io.EOF { // only whitespace may follow
		if err == nil {
			err = errors.New("unexpected " + tokenString(tok))
		}
		return nil, fault("", "header JSON: trailing data after the object: %v", err)
	}
	return h, nil
}

// parseMetadata reads the value of "__metadata__" into md.
func parseMetadata(dec *json.Decoder, md map[string]string) error {
	tok, err := next(dec)
	if err != nil {
		return fault("", "%s: %v", metadataKey, err)
	}
	if tok == nil { // null: no metadata, as the Rust crate accepts
		return nil
	}
	if tok != json.Delim('{') {
		return fault("", "%s: want an object of strings, got %s", metadataKey, tokenString(tok))
	}
	for dec.More() {
		tok, err := next(dec)
		if err != nil {
			return fault("", "%s: %v", metadataKey, err)
		}
		key := tok.(string)
		if _, dup := md[key]; dup {
			return fault("", "%s: duplicate key %q", metadataKey, key)
		}
		tok, err = next(dec)
		if err != nil {
			return fault("", "%s: key %q: %v", metadataKey, key, err)
		}
		val, ok := tok.(string)
		if !ok {
			return fault("", "%s: key %q: value must be a string, got %s", metadataKey, key, tokenString(tok))
		}
		md[key] = val
	}
	if err := expectDelim(dec, '}'); err != nil {
		return fault("", "%s: %v", metadataKey, err)
	}
	return nil
}

// parseEntry reads the object describing tensor name.
func parseEntry(dec *json.Decoder, name string) (entry, error) {
	e := entry{name: name}
	if err := expectDelim(dec, '{'); err != nil {
		return e, fault(name, "want an object with dtype, shape, data_offsets: %v", err)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := next(dec)
		if err != nil {
			return e, fault(name, "%v", err)
		}
		field := tok.(string)
		if seen[field] {
			return e, fault(name, "duplicate field %q", field)
		}
		seen[field] = true
		switch field {
		case "dtype":
			err = parseDtype(dec, &e)
		case "shape":
			err = parseShape(dec, &e)
		case "data_offsets":
			err = parseOffsets(dec, &e)
		default:
			err = errors.New("unknown field (want dtype, shape, data_offsets)")
		}
		if err != nil {
			return e, fault(name, "%s: %v", field, err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return e, fault(name, "%v", err)
	}
	for _, f := range []string{"dtype", "shape", "data_offsets"} {
		if !seen[f] {
			return e, fault(name, "missing field %q", f)
		}
	}
	return e, nil
}

func parseDtype(dec *json.Decoder, e *entry) error {
	tok, err := next(dec)
	if err != nil {
		return err
	}
	s, ok := tok.(string)
	if !ok {
		return errors.New("want a string, got " + tokenString(tok))
	}
	if e.dt = dtypeByName(s); e.dt == nil {
		return errors.New("unsupported dtype " + strconv.Quote(s) + " (supported: " + dtypeNames() + ")")
	}
	return nil
}

// maxRank bounds the number of dimensions (NumPy's NPY_MAXDIMS is 64).
const maxRank = 64

func parseShape(dec *json.Decoder, e *entry) error {
	dims, err := parseUints(dec, maxRank)
	if err != nil {
		return err
	}
	e.shape = make([]int, len(dims))
	for i, d := range dims {
		if d > math.MaxInt {
			return errors.New("dimension " + strconv.FormatUint(d, 10) + " is too large")
		}
		e.shape[i] = int(d)
	}
	return nil
}

func parseOffsets(dec *json.Decoder, e *entry) error {
	offs, err := parseUints(dec, 2)
	if err != nil {
		return err
	}
	if len(offs) != 2 {
		return errors.New("want [begin, end], got " + strconv.Itoa(len(offs)) + " numbers")
	}
	e.begin, e.end = offs[0], offs[1]
	return nil
}

// parseUints reads a JSON array of at most max non-negative integers.
func parseUints(dec *json.Decoder, max int) ([]uint64, error) {
	if err := expectDelim(dec, '['); err != nil {
		return nil, err
	}
	var out []uint64
	for dec.More() {
		if len(out) == max {
			return nil, errors.New("more than " + strconv.Itoa(max) + " numbers")
		}
		tok, err := next(dec)
		if err != nil {
			return nil, err
		}
		num, ok := tok.(json.Number)
		if !ok {
			return nil, errors.New("want a non-negative integer, got " + tokenString(tok))
		}
		v, err := strconv.ParseUint(string(num), 10, 64)
		if err != nil {
			return nil, errors.New("want a non-negative integer below 2^64, got " + string(num))
		}
		out = append(out, v)
	}
	return out, expectDelim(dec, ']')
}

// expectDelim reads the next token and checks that it is the delimiter d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := next(dec)
	if err != nil {
		return err
	}
	if tok != d {
		return errors.New("want " + strconv.QuoteRune(rune(d)) + ", got " + tokenString(tok))
	}
	return nil
}

// next reads the next token; running out of header is an error.
func next(dec *json.Decoder) (json.Token, error) {
	tok, err := dec.Token()
	if err == io.EOF {
		err = errors.New("unexpected end of the header JSON")
	}
	return tok, err
}

// tokenString describes a JSON token for an error message.
func tokenString(tok json.Token) string {
	switch v := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return strconv.QuoteRune(rune(v))
	case string:
		return "string " + strconv.Quote(v)
	case json.Number:
		return "number " + string(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return "unexpected token"
}
