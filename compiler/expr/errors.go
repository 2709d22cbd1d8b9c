package expr

import "fmt"

// SyntaxError is a parse error at a position of the source text. Line and
// Col are 1-based; Col counts characters (runes), not bytes.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

// Error formats the error as "line L, column C: msg".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// BuildError is a semantic error found while building a graph from an
// expression (an unknown variable or function, incompatible shapes, a
// failing op), at the position of the offending name, call or operator.
// Err, when not nil, is the underlying cause.
type BuildError struct {
	Line, Col int
	Msg       string
	Err       error
}

// Error formats the error as "line L, column C: msg".
func (e *BuildError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// Unwrap returns the underlying cause.
func (e *BuildError) Unwrap() error { return e.Err }

// buildErr makes a BuildError at t's position.
func buildErr(t *term, cause error, format string, args ...any) *BuildError {
	msg := fmt.Sprintf(format, args...)
	if cause != nil {
		msg += ": " + cause.Error()
	}
	return &BuildError{Line: t.line, Col: t.col, Msg: msg, Err: cause}
}
