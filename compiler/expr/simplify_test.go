package expr

import (
	"strings"
	"testing"
)

// TestSimplifyRules checks each rewrite rule's identity on parsed text.
func TestSimplifyRules(t *testing.T) {
	cases := []struct{ in, want string }{
		{"x*1", "x"},
		{"1*x", "x"},
		{"x + 0", "x"},
		{"0 + x", "x"},
		{"x - 0", "x"},
		{"0 - x", "-x"},
		{"x/1", "x"},
		{"x^1", "x"},
		{"--x", "x"},
		{"x + -y", "x - y"},
		{"x - -y", "x + y"},
		{"x + -2", "x - 2"},
		{"x + -3*y", "x - 3*y"},
		{"2*3 + 1", "7"},
		{"2^10/4", "256"},
		{"exp(0) + log(1)", "1"},
		{"1/0", "1/0"}, // not folded: not finite
		{"x*x", "x^2"},
		{"3*(x^2)*1", "3*x^2"},
		{"x*2*y", "2*x*y"},
		{"-(3*x)", "-3*x"},
		{"2*-x", "-2*x"},
		{"(6*x)/4", "1.5*x"},
		{"x^2*y*x^3", "x^5*y"},
		{"x^2*x", "x^3"},
		{"x^2 + x^2 + x^2", "3*x^2"},
		{"3*x - x", "2*x"},
		{"x - x", "0"},
		{"-x + y", "y - x"},
		{"x*(1/y)", "x/y"},
		{"(1/y)*x", "x/y"},
		{"log(x)*x/x", "log(x)"},
		{"repeat(2, 0, 5)*x", "2*x"},
		{"reshape(reshape(x, 1, 6), 6)", "reshape(x, 6)"},
		{"tanh(x @ W + b)", "tanh(x @ W + b)"},
	}
	for _, c := range cases {
		if got := simplify(MustParse(c.in).root).String(); got != c.want {
			t.Errorf("simplify(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestSimplifyRuleNames checks that every rule is named by its identity:
// the name parses as "pattern -> replacement" in the expression language,
// and (for the rules that need no shapes) simplifying the pattern fires
// the rule and gives the replacement.
func TestSimplifyRuleNames(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.name] {
			t.Errorf("two rules named %q", r.name)
		}
		seen[r.name] = true
		lhs, rhs, ok := strings.Cut(r.name, " -> ")
		if !ok || strings.Contains(rhs, "->") {
			t.Errorf("rule %q: want one \"pattern -> replacement\"", r.name)
			continue
		}
		pattern, err := Parse(lhs)
		if err != nil {
			t.Errorf("rule %q: pattern: %v", r.name, err)
			continue
		}
		want, err := Parse(rhs)
		if err != nil {
			t.Errorf("rule %q: replacement: %v", r.name, err)
			continue
		}
		if r.shapes {
			continue
		}
		fired := false
		got := simplifyTraced(pattern.root, func(name string) { fired = fired || name == r.name })
		if !fired {
			t.Errorf("rule %q does not fire on its pattern", r.name)
		}
		if got.String() != want.root.String() {
			t.Errorf("rule %q: the pattern simplifies to %s", r.name, got)
		}
	}
}
