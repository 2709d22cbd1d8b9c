package compiler

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
)

// TestUnboundInput: a run used to compute on the zeros an input starts
// with when Bind was forgotten; now it is an error naming the input, and
// inference needs only the inputs the outputs use.
func TestUnboundInput(t *testing.T) {
	n := newTinyNet(t)
	p, err := Compile(n.loss, []*G.Node{n.w, n.b}, WithOutputs(n.pred))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for name, run := range map[string]func() error{
		"RunTrain": p.RunTrain, "RunLoss": func() error { return p.RunLoss(Evaluation) },
		"RunInference": p.RunInference,
	} {
		if err := run(); err == nil || !strings.Contains(err.Error(), `"x"`) || !strings.Contains(err.Error(), "never bound") {
			t.Errorf("%s with nothing bound: error = %v, want one naming x", name, err)
		}
	}
	bind(t, p, "x", dense([]int{2, 3}, 1, 2, 3, -1, 0.5, 2))
	if err := p.RunInference(); err != nil {
		t.Errorf("inference with x bound and no y: %v", err)
	}
	if err := p.RunTrain(); err == nil || !strings.Contains(err.Error(), `"y"`) {
		t.Errorf("training without y: error = %v, want one naming y", err)
	}
	bind(t, p, "y", dense([]int{2, 2}, 0.5, -1, 2, 0))
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
}

// TestCompileInference compiles outputs alone: no loss (Compile used to
// say "loss is nil"), no params, no y; the values equal those of the
// training program's inference run.
func TestCompileInference(t *testing.T) {
	n := newTinyNet(t)
	full := n.compile(t)
	defer full.Close()
	if err := full.RunInference(); err != nil {
		t.Fatal(err)
	}
	for name, compile := range map[string]func() (*Program, error){
		"CompileInference": func() (*Program, error) { return CompileInference([]*G.Node{n.pred}, []*G.Node{n.w, n.b}) },
		"Compile(nil)":     func() (*Program, error) { return Compile(nil, []*G.Node{n.w, n.b}, WithOutputs(n.pred)) },
	} {
		p, err := compile()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !p.InferenceOnly() || len(p.Params()) != 2 || p.Params()[0].Grad != nil {
			t.Errorf("%s: InferenceOnly %v, %d params", name, p.InferenceOnly(), len(p.Params()))
		}
		if len(p.Inputs()) != 1 || p.Inputs()[0].Name() != "x" {
			t.Errorf("%s: inputs %v, want x alone", name, p.Inputs())
		}
		bind(t, p, "x", dense([]int{2, 3}, 1, 2, 3, -1, 0.5, 2))
		if err := p.RunInference(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, want := p.Output(0).Data().([]float64), full.Output(0).Data().([]float64)
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: output[%d] = %v, want %v", name, i, got[i], want[i])
			}
		}
		if err := p.RunTrain(); err == nil || !strings.Contains(err.Error(), "inference only") {
			t.Errorf("%s: RunTrain error = %v", name, err)
		}
		if err := p.WriteText(&strings.Builder{}); err != nil {
			t.Errorf("%s: WriteText: %v", name, err)
		}
		p.Close()
	}
	if _, err := CompileInference(nil, nil); err == nil {
		t.Error("CompileInference with no outputs succeeded")
	}
	if _, err := CompileInference([]*G.Node{n.pred}, []*G.Node{n.y}); err == nil {
		t.Error("a param that does not reach the outputs was accepted")
	}
	if _, err := CompileInference([]*G.Node{n.pred}, nil, WithL2(0.1)); err == nil {
		t.Error("an L2 penalty without a loss was accepted")
	}
}
