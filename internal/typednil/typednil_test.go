package typednil

import "testing"

func TestIs(t *testing.T) {
	var p *int
	var e error
	n := 1
	for _, c := range []struct {
		name string
		v    any
		want bool
	}{{"nil", nil, true}, {"nil interface", e, true}, {"nil pointer", p, true}, {"pointer", &n, false}, {"value", n, false}, {"nil slice", []int(nil), false}} {
		if got := Is(c.v); got != c.want {
			t.Errorf("%s: Is = %v, want %v", c.name, got, c.want)
		}
	}
}
