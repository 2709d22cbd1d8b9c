package main

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzFlags parses fuzzed command lines (arguments separated by spaces):
// parseArgs and parseVars must never panic, every error they return is a
// usage error (exit 2) or, from parseArgs, the help request (-h, exit 0),
// and every shape they accept has a size that fits an int.
func FuzzFlags(f *testing.F) {
	for _, s := range []string{
		"expr sum(x) --var x=4x3", "--seed 3 -atol=1e-5 expr sum(x*x) --var=x=5", "model simplenet --max-elements 0",
		"expr -x^2 --var x=9223372036854775807x2", "--var x=scalar --var x=2", "--eps NaN", "--order 3 --dtype f16",
		"expr s --var s=4611686018427387904x4", "-- --var", "--format", "--mode fast model mlp --weights",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		o, err := parseArgs(args, io.Discard)
		if err != nil {
			if _, ok := err.(*usageError); !ok && !errors.Is(err, errHelp) {
				t.Fatalf("parseArgs(%q): %T %v, want a usage error", args, err, err)
			}
			return
		}
		if o.maxElements < 1 {
			t.Fatalf("parseArgs(%q) accepted --max-elements %d", args, o.maxElements)
		}
		shapes, err := parseVars(o.vars)
		if err != nil {
			if _, ok := err.(*usageError); !ok {
				t.Fatalf("parseVars(%q): %T %v, want a usage error", o.vars, err, err)
			}
			return
		}
		for name, s := range shapes {
			if _, err := shapeSize(s); err != nil {
				t.Fatalf("--var %s=%v accepted but %v", name, s, err)
			}
			_ = checkSize("--var "+name, s, o.maxElements)
		}
	})
}
