package models

import (
	"sort"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
)

// Model is a built zoo model: its graph, batch inputs, output, loss and
// parameters (in PyTorch state_dict order).
type Model struct {
	Name   string
	Graph  *G.ExprGraph
	X, Y   *G.Node // the batch inputs, named "x" and "y"
	Output *G.Node // the model's output before the loss
	Loss   *G.Node
	Params []*G.Node
}

// Config says how to build a zoo model. The zero value builds a float64
// model for a batch of 1 from seed 0.
type Config struct {
	Batch int          // batch size; 0 means 1
	Dtype tensor.Dtype // float64 (default when zero) or float32
	Seed  uint64       // initialisation seed
}

func (c Config) withDefaults() (Config, error) {
	if c.Batch == 0 {
		c.Batch = 1
	}
	if c.Batch < 0 {
		return c, errors.Errorf("batch size %d is negative", c.Batch)
	}
	if c.Dtype == (tensor.Dtype{}) {
		c.Dtype = tensor.Float64
	}
	if c.Dtype != tensor.Float64 && c.Dtype != tensor.Float32 {
		return c, errors.Errorf("dtype %v: models are float64 or float32", c.Dtype)
	}
	return c, nil
}

// builder builds one zoo model on a fresh graph.
type builder func(cfg Config) (*Model, error)

// zoo is the registry of model builders, by zoo name.
var zoo = map[string]builder{
	"simplenet": buildSimpleNet,
}

// Names lists the zoo's model names, sorted.
func Names() []string {
	names := make([]string, 0, len(zoo))
	for n := range zoo {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Build builds the zoo model called name.
func Build(name string, cfg Config) (*Model, error) {
	b, ok := zoo[name]
	if !ok {
		return nil, errors.Errorf("no model named %q in the zoo (models: %v)", name, Names())
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, errors.Wrapf(err, "model %q", name)
	}
	m, err := b(cfg)
	return m, errors.Wrapf(err, "model %q", name)
}

// Compile compiles the model's loss with respect to all its parameters,
// with the model's output as the program's output.
func (m *Model) Compile(opts ...compiler.Option) (*compiler.Program, error) {
	opts = append([]compiler.Option{compiler.WithOutputs(m.Output)}, opts...)
	p, err := compiler.Compile(m.Loss, m.Params, opts...)
	return p, errors.Wrapf(err, "model %q", m.Name)
}

// ParamCount is the number of scalar parameters.
func (m *Model) ParamCount() int {
	n := 0
	for _, p := range m.Params {
		n += p.Shape().TotalSize()
	}
	return n
}
