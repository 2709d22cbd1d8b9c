// Package typednil tells a nil interface, or one that holds a nil pointer
// (a nil *tensor.Dense passed as a tensor.Tensor, a nil *SGD as an
// optimizer), from a usable value: symgrad's public functions refuse both
// with an error rather than dereference them later.
package typednil

import "reflect"

// Is reports whether v is nil or a nil pointer.
func Is(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
