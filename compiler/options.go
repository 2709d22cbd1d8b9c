package compiler

import (
	G "gorgonia.org/gorgonia"
)

// Option configures Compile.
type Option func(*config)

type config struct {
	outputs  G.Nodes
	l1, l2   float64
	l1Params G.Nodes
	l2Params G.Nodes
	noGuard  bool
	tape     bool
	noPasses bool
	rules    []*Rule // nil: DefaultRules
}

// WithOutputs names the nodes the program computes besides the loss (for
// example the model's predictions). They get an inference machine built on
// only the subgraph they need.
func WithOutputs(nodes ...*G.Node) Option {
	return func(c *config) { c.outputs = append(c.outputs, nodes...) }
}

// WithL1 adds lambda * sum |p| to the loss, symbolically, so its gradient
// comes out of the same differentiation as the loss's. With no params it
// applies to every parameter.
func WithL1(lambda float64, params ...*G.Node) Option {
	return func(c *config) { c.l1, c.l1Params = lambda, params }
}

// WithL2 adds (lambda/2) * sum p^2 to the loss, symbolically (gradient
// lambda*p, PyTorch's weight_decay=lambda for SGD). With no params it applies
// to every parameter.
func WithL2(lambda float64, params ...*G.Node) Option {
	return func(c *config) { c.l2, c.l2Params = lambda, params }
}

// WithNaNGuard turns the guard against non-finite values on (the default)
// or off. With the guard on, binding an input that holds NaN or Inf is an
// error naming the input and the element, and a training run whose loss or
// gradients come out non-finite is an error naming the first node that
// produced a non-finite value.
func WithNaNGuard(on bool) Option {
	return func(c *config) { c.noGuard = !on }
}

// WithTapeMachine runs the program on Gorgonia's TapeMachine instead of
// symgrad's planned executor. The TapeMachine reuses registers and runs ops
// in place, so it needs less memory, but a panic inside an op ends the
// process and an in-place op after a view of a parameter (a reshape) can
// overwrite the parameter; see docs/architecture.md.
func WithTapeMachine() Option {
	return func(c *config) { c.tape = true }
}

// WithPasses turns the pass pipeline's rewrite rules on (the default) or
// off. Off, the program is a plain copy of what the loss and outputs need
// (the prune phase alone).
func WithPasses(on bool) Option {
	return func(c *config) { c.noPasses = !on }
}

// WithRules replaces DefaultRules with the given rules (for experiments
// and tests of single rules).
func WithRules(rules ...*Rule) Option {
	return func(c *config) { c.rules = append([]*Rule{}, rules...) }
}

// ruleSet is the rules to run; for second derivatives only those whose
// replacements can be differentiated twice.
func (c *config) ruleSet(secondOrder bool) []*Rule {
	if c.noPasses {
		return nil
	}
	rules := c.rules
	if rules == nil {
		rules = DefaultRules()
	}
	if !secondOrder {
		return rules
	}
	var out []*Rule
	for _, r := range rules {
		if r.SecondOrder {
			out = append(out, r)
		}
	}
	return out
}
