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
		{"string panic", func() error { panic("boom") }, "building fc1: panic: boom", false},
		{"error panic", func() error { panic(errors.New("bad shape")) }, "building fc1: panic: bad shape", false},
		{"index panic", func() error { var s []int; _ = s[3]; return nil }, "index out of range", false},
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
