package panics

import (
	"errors"
	"strings"
	"testing"
)

func TestRecover(t *testing.T) {
	cases := []struct {
		name  string
		f     func() error
		want  string
		isNil bool
	}{
		{"string panic", func() error { panic("boom") }, "building fc1: Gorgonia refused it: boom", false},
		{"error panic", func() error { panic(errors.New("bad shape")) }, "building fc1: Gorgonia refused it: bad shape", false},
		{"index panic", func() error { var s []int; _ = s[3]; return nil }, "building fc1: internal error (index out of range [3] with length 0)", false},
		{"plain error", func() error { return errors.New("plain") }, "plain", false},
		{"no error", func() error { return nil }, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Call(c.f, "building %s", "fc1")
			if c.isNil {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want it to contain %q", err, c.want)
			}
		})
	}
}

// TestRecoveredKeepsCause: the message has no raw panic text, the cause is
// the panic's value.
func TestRecoveredKeepsCause(t *testing.T) {
	sentinel := errors.New("bad shape")
	err := Call(func() error { panic(sentinel) }, "op %s", "tanh")
	if !errors.Is(err, sentinel) {
		t.Errorf("errors.Is(%v, sentinel) is false", err)
	}
	err = Call(func() error { var m map[string]int; m["a"] = 1; return nil }, "node %s", "x")
	var pe *Error
	if !errors.As(err, &pe) || strings.Contains(err.Error(), "panic") || strings.Contains(err.Error(), "runtime error") {
		t.Errorf("got %q", err)
	}
	var re interface{ RuntimeError() }
	if !errors.As(err, &re) {
		t.Errorf("the runtime.Error is not the cause of %v", err)
	}
}
