package expr

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		src, want string
		vars      []string
	}{
		{"x", "x", []string{"x"}},
		{"  42 ", "42", nil},
		{"1.50", "1.5", nil},
		{".5 + 2.", "0.5 + 2", nil},
		{"1e3 + 2.5E-3 + 1e+2", "1000 + 0.0025 + 100", nil},
		{"1e300", "1e+300", nil},
		{"a+b*c", "a + b*c", []string{"a", "b", "c"}},
		{"(a+b)*c", "(a + b)*c", []string{"a", "b", "c"}},
		{"a-(b-c)", "a - (b - c)", []string{"a", "b", "c"}},
		{"(a-b)-c", "a - b - c", []string{"a", "b", "c"}},
		{"a/(b*c)", "a/(b*c)", []string{"a", "b", "c"}},
		{"-x^2", "-x^2", []string{"x"}},
		{"(-x)^2", "(-x)^2", []string{"x"}},
		{"-(x^2)", "-x^2", []string{"x"}},
		{"2^3^2", "2^3^2", nil},
		{"(2^3)^2", "(2^3)^2", nil},
		{"x^-1", "x^-1", []string{"x"}},
		{"x^(-y)^2", "x^(-y)^2", []string{"x", "y"}},
		{"--x", "--x", []string{"x"}},
		{"a*-b", "a*-b", []string{"a", "b"}},
		{"x @ W + b", "x @ W + b", []string{"x", "W", "b"}},
		{"x@(W@V)", "x @ (W @ V)", []string{"x", "W", "V"}},
		{"a*b@c", "a*b @ c", []string{"a", "b", "c"}},
		{"sum(tanh(x @ W + b))", "sum(tanh(x @ W + b))", []string{"x", "W", "b"}},
		{"f()", "f()", nil},
		{"reshape(x, 2, 6)", "reshape(x, 2, 6)", []string{"x"}},
		{"leakyrelu(x,-0.01)", "leakyrelu(x, -0.01)", []string{"x"}},
		{"mse(y, t) + y", "mse(y, t) + y", []string{"y", "t"}},
		{"x_1 + _b + Wß", "x_1 + _b + Wß", []string{"x_1", "_b", "Wß"}},
		{"x # a comment\n + y", "x + y", []string{"x", "y"}},
		{"f(x)^2", "f(x)^2", []string{"x"}},
	}
	for _, c := range cases {
		e, err := Parse(c.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.src, err)
		}
		if got := e.String(); got != c.want {
			t.Errorf("Parse(%q).String() = %q, want %q", c.src, got, c.want)
		}
		if got := e.Vars(); !slices.Equal(got, c.vars) {
			t.Errorf("Parse(%q).Vars() = %q, want %q", c.src, got, c.vars)
		}
		again, err := Parse(e.String())
		if err != nil || !equal(again.root, e.root) {
			t.Errorf("Parse(%q) does not round-trip through %q: %v", c.src, e.String(), err)
		}
	}
}

// errorCase is a source text and the error it must raise: the 1-based
// line and column of the error, and a part of its message.
type errorCase struct {
	src       string
	line, col int
	msg       string
}

// check fails unless line, col and msg, the position and message of the
// error c.src raised when parsed or built, are c's (msg containing c.msg).
func (c errorCase) check(t *testing.T, line, col int, msg string) {
	t.Helper()
	if line != c.line || col != c.col || !strings.Contains(msg, c.msg) {
		t.Errorf("%q: got %q at %d:%d, want %q at %d:%d", c.src, msg, line, col, c.msg, c.line, c.col)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []errorCase{
		{"", 1, 1, "empty expression"},
		{"   \n ", 2, 2, "empty expression"},
		{"x +", 1, 4, "expected a number, a name or '(', found end of input"},
		{"x + * y", 1, 5, `expected a number, a name or '(', found "*"`},
		{"(x + y", 1, 7, `expected ")" to close the parenthesis at line 1, column 1`},
		{"f(x, y", 1, 7, `expected ")" to close the call of f at line 1, column 2`},
		{"f(x,)", 1, 5, `found ")"`},
		{"x y", 1, 3, "unexpected name y after the expression"},
		{"x)", 1, 2, `unexpected ")" after the expression`},
		{"2x", 1, 2, `unexpected 'x' after number 2`},
		{"1e", 1, 3, "exponent has no digits"},
		{"1e+", 1, 4, "exponent has no digits"},
		{"1e999", 1, 1, "number 1e999 is out of range"},
		{".", 1, 1, "a number needs at least one digit"},
		{"x +\n  $", 2, 3, `unexpected character '$'`},
		{"x ^^ 2", 1, 4, `found "^"`},
		{"a\n+ b\n+ (c\n+ )", 4, 3, `found ")"`},
		{"x\xff", 1, 2, "invalid UTF-8"},
		{"é + ü(", 1, 7, "found end of input"},
		{strings.Repeat("(", MaxDepth+1) + "x" + strings.Repeat(")", MaxDepth+1), 1, MaxDepth + 2, "nested deeper than 200 levels"},
		{strings.Repeat("-", 300) + "x", 1, MaxDepth + 2, "nested deeper"},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Parse(%q) = %v (%T), want a *SyntaxError", c.src, err, err)
		}
		c.check(t, se.Line, se.Col, se.Msg)
		if want := "line "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Parse(%q): error %q does not start with %q", c.src, err, want)
		}
	}
}

// TestParseDepthLimit checks that MaxDepth levels of nesting are accepted.
func TestParseDepthLimit(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("(", MaxDepth) + "x" + strings.Repeat(")", MaxDepth),
		strings.Repeat("f(", MaxDepth) + "x" + strings.Repeat(")", MaxDepth),
		strings.Repeat("-", MaxDepth) + "x",
	} {
		if _, err := Parse(src); err != nil {
			t.Fatalf("Parse(%.20q...): %v", src, err)
		}
	}
}
