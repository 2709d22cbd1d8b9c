package safetensors

import (
	"fmt"
	"strings"
)

// Error reports what is wrong with a safetensors file, or with tensors given
// to be written, and where: the operation, the file and the tensor at fault.
//
// Every error returned by this package is an *Error; use errors.As to get at
// the fields. Err holds the underlying cause (an *os.PathError for I/O faults,
// a plain description for format faults).
type Error struct {
	Op     string // "read", "decode", "write", "encode" or "convert"
	Path   string // the file, "" for Decode and Encode
	Tensor string // the tensor at fault, "" if the fault is not in one tensor
	Err    error
}

// Error formats e as `safetensors: OP PATH: tensor "NAME": CAUSE`.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("safetensors: ")
	b.WriteString(e.Op)
	if e.Path != "" {
		b.WriteString(" ")
		b.WriteString(e.Path)
	}
	b.WriteString(": ")
	if e.Tensor != "" {
		fmt.Fprintf(&b, "tensor %q: ", e.Tensor)
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// fault builds a format error about one tensor (tensor may be "").
// Op and Path are filled in by the exported entry points.
func fault(tensor, format string, args ...any) *Error {
	return &Error{Tensor: tensor, Err: fmt.Errorf(format, args...)}
}

// at fills in the operation and the file of err, which must come from fault
// or be a plain error (then it is wrapped).
func at(err error, op, path string) error {
	if err == nil {
		return nil
	}
	e, ok := err.(*Error)
	if !ok {
		return &Error{Op: op, Path: path, Err: err}
	}
	e.Op, e.Path = op, path
	return e
}

// guard runs f and turns a panic (from the tensor package, on a malformed
// *tensor.Dense) into an error about tensor name.
func guard(name string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fault(name, "invalid tensor: %v", r)
		}
	}()
	return f()
}
