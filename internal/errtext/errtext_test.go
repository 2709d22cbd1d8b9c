package errtext

import (
	"errors"
	"slices"
	"testing"
)

func TestHas(t *testing.T) {
	err := errors.New("conv2d: shapes [2 3] and [4] do not fit")
	for _, c := range []struct {
		name  string
		err   error
		parts []string
		want  bool
	}{
		{"nil error", nil, nil, false},
		{"no parts", err, nil, true},
		{"all parts", err, []string{"conv2d", "[2 3]"}, true},
		{"one part missing", err, []string{"conv2d", "matmul"}, false},
	} {
		if got := Has(c.err, c.parts...); got != c.want {
			t.Errorf("%s: Has = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestMissing(t *testing.T) {
	got := Missing("conv2d: bad stride", "matmul", "stride", "pad")
	if want := []string{"matmul", "pad"}; !slices.Equal(got, want) {
		t.Errorf("Missing = %q, want %q", got, want)
	}
}
