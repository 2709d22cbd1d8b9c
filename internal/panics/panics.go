// Package panics turns Gorgonia's internal panics into errors at symgrad's
// public boundary.
//
// Gorgonia panics in many places (shape errors while building nodes, ops
// without a gradient, compile failures). symgrad's error policy is that a
// public function returns an error instead; every exported entry point that
// calls into Gorgonia defers Recover.
package panics

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/pkg/errors"
)

// Recover, when deferred, converts a panic into an error stored in *err,
// prefixed with what was being done. It leaves *err alone when nothing
// panicked. Usage:
//
//	func Do() (err error) {
//		defer panics.Recover(&err, "compile %s", name)
//		...
//	}
func Recover(err *error, format string, args ...any) {
	r := recover()
	if r == nil {
		return
	}
	*err = errors.Wrapf(asError(r), format, args...)
}

// Call runs f and returns its error, or the error a panic inside it becomes.
func Call(f func() error, format string, args ...any) (err error) {
	defer Recover(&err, format, args...)
	return f()
}

// Error is a recovered panic: a sentence for people (what failed and
// why, without Go's "panic: runtime error" wording) whose cause is the
// panic's value as an error (errors.Unwrap, errors.As find it).
type Error struct {
	msg   string
	cause error
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the panic's value as an error.
func (e *Error) Unwrap() error { return e.cause }

// Cause returns the same, for github.com/pkg/errors.Cause.
func (e *Error) Cause() error { return e.cause }

func asError(r any) error {
	switch v := r.(type) {
	case runtime.Error:
		return &Error{msg: "internal error (" + strings.TrimPrefix(v.Error(), "runtime error: ") + ")", cause: v}
	case error:
		return &Error{msg: "Gorgonia refused it: " + v.Error(), cause: v}
	default:
		s := fmt.Sprint(v)
		return &Error{msg: "Gorgonia refused it: " + s, cause: errors.New(s)}
	}
}
