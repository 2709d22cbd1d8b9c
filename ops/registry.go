package ops

import (
	"fmt"
	"sort"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Spec describes one registered op: how to build it, what it computes and
// what its gradient is, and how to check it. gradcheck, the expression
// language (compiler/expr) and docs/ops.md all read the registry; a test
// fails when an entry lacks any field.
type Spec struct {
	Name     string // the name used in expressions and by gradcheck, e.g. "logsoftmax"
	Family   string // the op family (file), e.g. "activation", "loss"
	Forward  string // the forward formula
	Gradient string // the gradient formula
	Notes    string // stability notes, Gorgonia defects avoided, kinks

	// Build applies the op. nodes are its tensor arguments, params its
	// trailing numeric arguments (an axis, a slope, ...), as written in an
	// expression: logsoftmax(x, 1), leakyrelu(x, 0.01).
	Build func(nodes []*G.Node, params []float64) (*G.Node, error)

	// MinNodes and MaxNodes bound the number of node arguments (MaxNodes -1:
	// unbounded); MaxParams bounds the numeric ones.
	MinNodes, MaxNodes, MaxParams int

	// Example is how gradcheck checks the op: input shapes and domains, and
	// the numeric params to pass.
	Example Example

	Dtypes              []tensor.Dtype // the dtypes the op supports
	TwiceDifferentiable bool           // whether its gradient can be differentiated again
	// NotDifferentiable marks an op with no gradient at all (argmax: its
	// output is int64 indices); gradcheck runs its forward pass only.
	NotDifferentiable bool

	// Reference, on a fused op, builds the same function from Gorgonia's
	// own ops (or symgrad's primitive ones), taking Build's arguments:
	// gradcheck compares the op's value and gradients with it on the
	// example (gradcheck.CheckReference, a "reference" row of CheckOp).
	Reference func(nodes []*G.Node, params []float64) (*G.Node, error)
	// ReferenceOf says what Reference builds, e.g. "Gorgonia's Conv2d plus
	// the bias"; required with Reference.
	ReferenceOf string
}

// Example is one gradient-check case of an op.
type Example struct {
	Inputs []Input
	Params []float64
}

// Input describes one argument of an Example.
type Input struct {
	Name   string
	Shape  []int
	Domain Domain
	// Classes, when > 0, makes this an integer input (int64) of class
	// indices in [0, Classes); it is not differentiated.
	Classes int
	// NoGrad marks a float input that is not differentiated (a target, a
	// mask).
	NoGrad bool
}

// Domain is the valid range of an input's elements: values are drawn from
// [Min, Max], staying at least Margin away from each point in Avoid (where
// the op has a kink or a singularity).
type Domain struct {
	Min, Max float64
	Avoid    []float64
	Margin   float64
}

// Real is the default domain, [-2, 2].
var Real = Domain{Min: -2, Max: 2}

// Positive is (0.1, 3], for log, sqrt and friends.
var Positive = Domain{Min: 0.1, Max: 3}

// registry maps op names to specs. It is filled by init functions in the
// files that define the ops, right under each op's definition.
var registry = map[string]*Spec{}

// Register adds a spec; it panics on a duplicate or incomplete entry, which
// is a programming error caught by every test run.
func Register(s *Spec) {
	if _, dup := registry[s.Name]; dup {
		panic("ops: duplicate registration of " + s.Name)
	}
	if err := s.Validate(); err != nil {
		panic(err)
	}
	registry[s.Name] = s
}

// Validate reports a missing or inconsistent field.
func (s *Spec) Validate() error {
	switch {
	case s.Name == "":
		return errors.New("ops: spec without a name")
	case s.Family == "", s.Forward == "", s.Gradient == "":
		return errors.Errorf("ops: %s: family, forward and gradient formulas are required", s.Name)
	case s.Build == nil:
		return errors.Errorf("ops: %s: no builder", s.Name)
	case len(s.Example.Inputs) == 0:
		return errors.Errorf("ops: %s: no example inputs", s.Name)
	case len(s.Dtypes) == 0:
		return errors.Errorf("ops: %s: no dtypes", s.Name)
	case s.NotDifferentiable && s.TwiceDifferentiable:
		return errors.Errorf("ops: %s: not differentiable but twice differentiable", s.Name)
	case (s.Reference == nil) != (s.ReferenceOf == ""):
		return errors.Errorf("ops: %s: Reference and ReferenceOf go together", s.Name)
	case s.MinNodes < 0 || (s.MaxNodes >= 0 && s.MaxNodes < s.MinNodes):
		return errors.Errorf("ops: %s: bad argument bounds", s.Name)
	}
	for _, in := range s.Example.Inputs {
		if in.Name == "" || len(in.Shape) == 0 {
			return errors.Errorf("ops: %s: example input %q needs a name and a shape", s.Name, in.Name)
		}
		if in.Classes == 0 && in.Domain.Max <= in.Domain.Min {
			return errors.Errorf("ops: %s: example input %q needs a domain with Min < Max", s.Name, in.Name)
		}
	}
	return nil
}

// ApplyReference checks the argument counts and builds the op's
// Reference; an error when the op has none.
func (s *Spec) ApplyReference(nodes []*G.Node, params []float64) (*G.Node, error) {
	if s.Reference == nil {
		return nil, errors.Errorf("%s has no reference version", s.Name)
	}
	r := *s
	r.Build = s.Reference
	return r.Apply(nodes, params)
}

// Lookup returns the spec registered under name.
func Lookup(name string) (*Spec, bool) {
	s, ok := registry[name]
	return s, ok
}

// All returns every registered spec, sorted by name.
func All() []*Spec {
	out := make([]*Spec, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Apply checks the argument counts and builds the op.
func (s *Spec) Apply(nodes []*G.Node, params []float64) (*G.Node, error) {
	if len(nodes) < s.MinNodes || (s.MaxNodes >= 0 && len(nodes) > s.MaxNodes) {
		return nil, errors.Errorf("%s takes %s tensor arguments, got %d", s.Name, bounds(s.MinNodes, s.MaxNodes), len(nodes))
	}
	if len(params) > s.MaxParams {
		return nil, errors.Errorf("%s takes at most %d numeric arguments, got %d", s.Name, s.MaxParams, len(params))
	}
	return s.Build(nodes, params)
}

func bounds(lo, hi int) string {
	switch {
	case hi < 0:
		return fmt.Sprintf("at least %d", lo)
	case lo == hi:
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d to %d", lo, hi)
}

var floats = []tensor.Dtype{tensor.Float64, tensor.Float32}
