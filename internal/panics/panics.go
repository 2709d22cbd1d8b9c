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

func asError(r any) error {
	switch v := r.(type) {
	case error:
		return errors.WithMessage(v, "panic")
	default:
		return errors.New(fmt.Sprintf("panic: %v", v))
	}
}
