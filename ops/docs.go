package ops

import (
	"fmt"
	"io"
	"strings"
)

//go:generate go run ../internal/gendocs -ops ../docs/ops.md

// Defect is a Gorgonia v0.9.18 defect found by the ops audit, with what
// symgrad does instead and the test that guards it.
type Defect struct {
	Op, Problem, Instead, Test string
}

// Defects lists the Gorgonia defects the audit found.
func Defects() []Defect {
	return []Defect{
		{"Dropout", "gradient scaled by 1/p instead of 1/(1-p); mask from the wall clock; mask read back as output != 0; every dropout op hashes alike (two dropouts of one node merge)",
			"own op: seeded PCG mask per node, shared with its gradient op, new each training run, frozen on request", "TestGorgoniaDropoutGradientIsWrong, TestDropoutScalesBy1MinusP"},
		{"Log2", "gradient off by a factor ln²2", "own elementwise op, g/(x ln 2)", "TestLog2GradientIsOneOverXLn2"},
		{"InverseSqrt", "wrong gradient", "own elementwise op, -g/(2x^(3/2))", "TestInvSqrtGradient"},
		{"Reshape", "returns a view of its input; a following in-place op (e.g. HadamardProd) overwrites the input, a parameter, on every run",
			"own reshape op that copies", "TestReshapeDoesNotOverwriteItsInput"},
		{"LogSumExp", "computes log(Σe^(x-m) + m) and sums again: wrong value", "own stable op (m + log Σ e^(x-m)) with gradient g ⊙ softmax", "TestGorgoniaLogSumExpIsWrong"},
		{"AveragePool2D", "wrong gradient with padding and stride", "own op and its adjoint", "TestAvgPool2DGradientWithPadding"},
		{"Sigmoid, Softplus", "clamped: σ(x) = 1 exactly above x = 19 (15 in float32), softplus(x) = x above 16, so gradients vanish or jump there",
			"own elementwise ops in stable closed forms", "TestSigmoidAndSoftplusAreStable"},
		{"Max", "every tied maximum receives the whole upstream gradient, so a slice with k ties passes on k times its gradient",
			"own op: tied maxima share g evenly, as PyTorch's amax", "TestMaxTiesShareTheGradient"},
		{"Slice (and Concat's gradient)", "sliceOp and sliceIncrOp hash their start, end and step as bytes, so slices whose bounds agree modulo 256 hash alike: G.Slice(x, 256:384) returns the node of G.Slice(x, 0:128) (hash-consing), and the gradient of Concat, which slices the upstream gradient, gives a piece past column 256 the gradient of another piece",
			"ops.SliceAlong is a copy with its bounds in its hash (Narrow); the compiler differentiates Gorgonia's Concat into symgrad slices", "TestSliceBoundsPast256StayApart, TestGorgoniaConcatGradientPast256"},
		{"SoftMax, LogSoftMax", "the two ops hash alike (issue 569) and Log(SoftMax(x)) is rewritten in place on shared nodes",
			"not used: logsumexp, logsoftmax and softmax are symgrad ops/composites", "TestSoftmaxAlongAnyAxis"},
	}
}

// WriteDocs writes docs/ops.md: a table of every registered op (forward
// formula, gradient formula, notes, check status) and the Gorgonia defects
// found. go generate (in ops/) regenerates it; TestDocsInSync checks it.
func WriteDocs(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# symgrad ops\n\n")
	b.WriteString("Generated from the ops registry by `go generate ./ops` (internal/gendocs); do not edit by hand.\n")
	b.WriteString("`TestDocsInSync` fails when this file and the registry disagree.\n\n")
	b.WriteString("Every op below is checked by `go test ./ops`: its symbolic gradient of sum(op(x) ⊙ r), r a seeded random\n")
	b.WriteString("upstream gradient, against central differences (eps 1e-6, |a - n| <= 1e-5 + 1e-3|n|) in float64, and its\n")
	b.WriteString("float32 loss and gradients against the float64 twin (TestRegisteredOpsGradients, TestRegisteredOpsFloat32).\n")
	b.WriteString("A fused op that records a reference version (the same function built from Gorgonia's own ops) is also\n")
	b.WriteString("compared with it, value and gradients on its example in both dtypes (TestRegisteredReferences, and a\n")
	b.WriteString("`ref` row of `go run ./cmd/gradcheck op NAME`): \"= reference\" in the gradcheck column.\n\n")
	b.WriteString("| op | family | forward | gradient | notes | 2nd order | gradcheck |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, s := range All() {
		twice, check := "no", "passes"
		if s.TwiceDifferentiable {
			twice = "yes"
		}
		if s.NotDifferentiable {
			twice, check = "n/a", "not differentiable: forward run"
		}
		if s.Reference != nil {
			check += "; = reference: " + s.ReferenceOf
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s (%s) |\n", s.Name, s.Family, cell(s.Forward), cell(s.Gradient),
			cell(s.Notes), twice, check, exampleOf(s))
	}
	b.WriteString("\n## Gorgonia v0.9.18 defects found, and what symgrad does instead\n\n")
	b.WriteString("| Gorgonia op | defect | symgrad | regression test |\n| --- | --- | --- | --- |\n")
	for _, d := range Defects() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", d.Op, cell(d.Problem), cell(d.Instead), d.Test)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell escapes a table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

// exampleOf describes an op's example inputs, e.g. "x 3x4".
func exampleOf(s *Spec) string {
	parts := make([]string, len(s.Example.Inputs))
	for i, in := range s.Example.Inputs {
		dims := make([]string, len(in.Shape))
		for j, d := range in.Shape {
			dims[j] = fmt.Sprint(d)
		}
		parts[i] = in.Name + " " + strings.Join(dims, "x")
	}
	return strings.Join(parts, ", ")
}
