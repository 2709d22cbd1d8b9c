package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/gradcheck"
	"github.com/symgrad/symgrad/safetensors"
)

func runArgs(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// expectRun runs gradcheck with args and fails t unless it exits with code
// and every one of wants is in its stdout (exit 0 or 1) or its stderr
// (exit 2).
func expectRun(t *testing.T, args []string, code int, wants ...string) {
	t.Helper()
	got, out, errOut := runArgs(args...)
	where := out
	if code == 2 {
		where = errOut
	}
	if got != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", got, code, out, errOut)
	}
	for _, w := range wants {
		if !strings.Contains(where, w) {
			t.Errorf("%q not in\n%s", w, where)
		}
	}
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string // in stdout (code 0/1) or stderr (code 2)
	}{
		{"expr passes", []string{"expr", "sum(tanh(x @ W + b))", "--var", "x=4x3", "--var", "W=3x2", "--var", "b=2"}, 0, "pass"},
		{"flags first", []string{"--seed", "3", "-atol=1e-5", "expr", "sum(x*x)", "--var=x=5"}, 0, "pass"},
		{"order 2", []string{"expr", "sum(x^3)", "--var", "x=5", "--order", "2"}, 0, "H·v x"},
		{"show grad", []string{"expr", "sum(x^3)", "--var", "x=5", "--show-grad"}, 0, "grad x = 3*x^2"},
		{"scalar var", []string{"expr", "sum(s * x)", "--var", "s=scalar", "--var", "x=3"}, 0, "pass"},
		{"op", []string{"op", "mse", "relu"}, 0, "op relu"},
		{"op float32", []string{"op", "relu", "--dtype", "float32"}, 0, "f64 twin"},
		{"model fast", []string{"model", "binary", "--mode", "fast"}, 0, "model binary"},
		{"list", []string{"list"}, 0, "simplenet"},
		// --help and -h used to say "unknown flag" and exit 2.
		{"help", []string{"help"}, 0, "usage: gradcheck"},
		{"--help", []string{"--help"}, 0, "usage: gradcheck"},
		{"-h", []string{"-h"}, 0, "usage: gradcheck"},
		{"-help after a command", []string{"op", "relu", "-help"}, 0, "usage: gradcheck"},
		{"expr -h is an expression", []string{"expr", "-h", "--var", "h=3"}, 0, "expr -h"},
		// log's domain is x > 0: x used to be drawn from [-2, 2], NaN.
		{"log domain", []string{"expr", "mean(log(x))", "--var", "x=4"}, 0, "pass"},
		{"sqrt and log domains", []string{"expr", "sum(sqrt(x) * log(x) + log1p(y))", "--var", "x=6", "--var", "y=6", "--seed", "5"}, 0, "pass"},
		{"parse error", []string{"expr", "sum(x", "--var", "x=3"}, 2, "column 6"},
		{"unknown op", []string{"op", "nosuchop"}, 2, `unknown op "nosuchop"`},
		{"unknown model", []string{"model", "nosuchmodel"}, 2, `unknown model "nosuchmodel"`},
		{"bad shape", []string{"expr", "sum(x)", "--var", "x=4by3"}, 2, "bad shape"},
		{"missing shape", []string{"expr", "sum(x)"}, 2, "--var x=SHAPE"},
		{"unused var", []string{"expr", "sum(x)", "--var", "x=3", "--var", "y=2"}, 2, "no variable y"},
		{"bad mode", []string{"op", "relu", "--mode", "slow"}, 2, "bad --mode"},
		{"bad eps", []string{"op", "relu", "--eps", "-1"}, 2, "bad --eps"},
		{"bad float", []string{"op", "relu", "--eps", "abc"}, 2, "invalid value"},
		{"unknown flag", []string{"op", "relu", "--epss", "1"}, 2, "unknown flag"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"build error", []string{"expr", "sum(nosuchfn(x))", "--var", "x=3"}, 2, "nosuchfn"},
		// Gorgonia's second Grad on one graph reuses stored first
		// derivatives (H v of sum(exp(x)) came out wrong); compiler.HVP
		// differentiates a fresh copy of the gradient graph.
		{"second derivatives right", []string{"expr", "sum(exp(x))", "--var", "x=3", "--order", "2"}, 0, "pass"},
		{"order 2 tanh squared", []string{"expr", "sum(tanh(x)^2)", "--var", "x=5", "--order", "2"}, 0, "pass"},
		{"order 2 softmax", []string{"expr", "sum(softmax(x) * c)", "--var", "x=5", "--var", "c=5", "--order", "2"}, 0, "pass"},
		{"passes", []string{"expr", "sum(log(softmax(x)) * c)", "--var", "x=5", "--var", "c=5", "--passes"}, 0, "log(softmax(x)) -> logsoftmax(x)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { expectRun(t, c.args, c.code, c.want) })
	}
}

func TestJSONParses(t *testing.T) {
	code, out, errOut := runArgs("op", "mse", "--format", "json", "--order", "2")
	if code > 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var reports []gradcheck.Report
	if err := json.Unmarshal([]byte(out), &reports); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(reports) != 1 || reports[0].Name != "mse" || reports[0].Order != 2 || len(reports[0].Results) < 2 {
		t.Fatalf("%+v", reports)
	}
}

func TestDumpAndReference(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "out.safetensors")
	args := []string{"expr", "sum(x @ W)", "--var", "x=2x3", "--var", "W=3x2", "--dump", dump}
	if code, _, e := runArgs(args...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	f, err := safetensors.Read(dump)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"value", "grad.x", "grad.W"} {
		if _, ok := f.Tensors[n]; !ok {
			t.Fatalf("dump lacks %s: %v", n, f.Order)
		}
	}
	// The dump is its own reference; a perturbed copy must fail.
	code, out, e := runArgs(append(args[:len(args)-2], "--reference", dump)...)
	if code != 0 || !strings.Contains(out, "reference grad.W") {
		t.Fatalf("exit %d: %s %s", code, out, e)
	}
	gw := f.Tensors["grad.W"].Data().([]float64)
	gw[0] += 0.1
	bad := filepath.Join(dir, "bad.safetensors")
	if err := safetensors.Write(bad, f.Tensors, nil); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runArgs(append(args[:len(args)-2], "--reference", bad)...); code != 1 {
		t.Fatalf("perturbed reference: exit %d\n%s", code, out)
	}
	// --input gives the values: x and W from the dump's shapes.
	in := filepath.Join(dir, "in.safetensors")
	vals := map[string]*tensor.Dense{
		"x": tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6})),
		"W": tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{1, 0, 0, 1, 1, 1})),
	}
	if err := safetensors.Write(in, vals, nil); err != nil {
		t.Fatal(err)
	}
	if code, out, e := runArgs("expr", "sum(x @ W)", "--input", in, "--format", "json"); code != 0 || !strings.Contains(out, `"params": 12`) {
		t.Fatalf("--input: exit %d\n%s\n%s", code, out, e)
	}
}
