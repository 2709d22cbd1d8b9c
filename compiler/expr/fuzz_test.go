package expr

import (
	"testing"
)

// FuzzParse checks that Parse never panics or hangs, that every error is a
// *SyntaxError, and that a parsed expression round-trips through String.
// Seeds are in testdata/fuzz/FuzzParse and below.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"x", "sum(tanh(x @ W + b))", "-x^2", "2^3^-1", "f(x, 1, -2.5e3)", "((x)", "1e", "a # c\n+b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Parse(%q) returned %T, want *SyntaxError", src, err)
			}
			return
		}
		text := e.String()
		again, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q does not parse: %v", src, text, err)
		}
		if !equal(again.root, e.root) {
			t.Fatalf("Parse(%q).String() = %q parses to a different tree %q", src, text, again.String())
		}
		if again.String() != text {
			t.Fatalf("String is not canonical: %q then %q", text, again.String())
		}
	})
}
