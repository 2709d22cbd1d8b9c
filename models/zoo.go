package models

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/panics"
)

// Model is a built zoo model: its graph, batch inputs, output, loss,
// parameters and buffers (both in PyTorch state_dict order).
type Model struct {
	Name   string
	Config Config // the configuration it was built with, defaults filled in
	Graph  *G.ExprGraph
	// X and Y are the batch inputs: x the samples [B, ...], y the targets.
	// Y is nil for a model whose loss needs no target (an autoencoder's
	// loss on x alone); names are free (training binds a dataset's X to X
	// and its Y to Y, whatever they are called).
	X, Y *G.Node
	// Inputs are any further inputs the graph reads (masks, a second
	// stream), bound by name; X and Y need not be listed.
	Inputs  []*G.Node
	Output  *G.Node // the model's output before the loss
	Loss    *G.Node
	Params  []*G.Node // trainable leaves, in state_dict order
	Buffers []*Buffer // non-trainable state (running statistics), in state_dict order
	// Modules are the layers holding state, in the order PyTorch registers
	// them; StateDict walks them (each module's params, then its buffers).
	Modules []Module

	rng *rand.Rand // New's initialisation generator, for Model.Linear
	// Vocab, when > 0, says that X holds int64 token ids in [0, Vocab)
	// (SampleBatch and gradient checks draw them so).
	Vocab int
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
	"simplenet":   buildSimpleNet,
	"binary":      buildBinary,
	"mlp":         buildMLP,
	"mlpbn":       buildMLPBN,
	"lenet":       buildLeNet,
	"lstm":        buildLSTM,
	"bilstm":      buildBiLSTM,
	"transformer": buildTransformer,
	"gru":         buildGRU,
	"textcnn":     buildTextCNN,
}

// Names lists the zoo's model names, sorted.
func Names() []string {
	return slices.Sorted(maps.Keys(zoo))
}

// Build builds the zoo model called name.
func Build(name string, cfg Config) (m *Model, err error) {
	defer panics.Recover(&err, "model %q", name)
	b, ok := zoo[name]
	if !ok {
		return nil, errors.Errorf("no model named %q in the zoo (models: %v)", name, Names())
	}
	cfg, err = cfg.withDefaults()
	if err != nil {
		return nil, errors.Wrapf(err, "model %q", name)
	}
	m, err = b(cfg)
	if err != nil {
		return nil, errors.Wrapf(err, "model %q", name)
	}
	m.Config = cfg
	return m, nil
}

// Compile compiles the model's loss with respect to all its parameters,
// with the model's output as the program's output. It refuses a model
// whose loss reads a leaf that is neither a registered parameter, nor an
// input (X, Y, Inputs), nor a constant: such a leaf is almost always the
// parameter of a layer that was never registered with Add, which would
// silently stay frozen and be left out of checkpoints.
func (m *Model) Compile(opts ...compiler.Option) (*compiler.Program, error) {
	if m == nil {
		return nil, errors.New("models: Compile on a nil *Model")
	}
	if m.Loss == nil {
		return nil, errors.Errorf("model %q has no loss (use CompileInference for outputs alone)", m.Name)
	}
	if err := m.checkLeaves(m.Loss, m.Output); err != nil {
		return nil, err
	}
	opts = append([]compiler.Option{compiler.WithOutputs(m.Output)}, opts...)
	p, err := compiler.Compile(m.Loss, m.Params, opts...)
	return p, errors.Wrapf(err, "model %q", m.Name)
}

// CompileInference compiles the model's output alone: no loss, no
// gradients, no target (compiler.CompileInference). Its RunInference
// runs in evaluation mode.
func (m *Model) CompileInference(opts ...compiler.Option) (*compiler.Program, error) {
	if m.Output == nil {
		return nil, errors.Errorf("model %q has no output", m.Name)
	}
	if err := m.checkLeaves(m.Output); err != nil {
		return nil, err
	}
	var used []*G.Node
	leaves := compiler.Leaves(m.Output)
	for _, p := range m.Params {
		if slices.Contains(leaves, p) {
			used = append(used, p)
		}
	}
	p, err := compiler.CompileInference([]*G.Node{m.Output}, used, opts...)
	return p, errors.Wrapf(err, "model %q", m.Name)
}

// checkLeaves returns an error naming every leaf of roots that is neither
// a registered parameter, an input nor a constant.
func (m *Model) checkLeaves(roots ...*G.Node) error {
	var stray []string
	for _, n := range compiler.Leaves(roots...) {
		if compiler.IsConstant(n) || n == m.X || n == m.Y || slices.Contains(m.Inputs, n) || slices.Contains(m.Params, n) {
			continue
		}
		stray = append(stray, fmt.Sprintf("%q %v", n.Name(), n.Shape()))
	}
	if len(stray) == 0 {
		return nil
	}
	return errors.Errorf("model %q: %s reach%s the loss or output but %s neither a registered parameter nor an input: register the layer that owns it with Model.Add (a frozen tensor: compiler.Constant; an extra input: Model.Inputs)",
		m.Name, strings.Join(stray, ", "), map[bool]string{true: "", false: "es"}[len(stray) > 1], map[bool]string{true: "are", false: "is"}[len(stray) > 1])
}

// ParamCount is the number of scalar parameters.
func (m *Model) ParamCount() int {
	n := 0
	for _, p := range m.Params {
		n += p.Shape().TotalSize()
	}
	return n
}

// Dtype is the model's float dtype (that of its parameters).
func (m *Model) Dtype() tensor.Dtype {
	if len(m.Params) == 0 {
		return m.Config.Dtype
	}
	return m.Params[0].Dtype()
}

// Add registers modules in state_dict order, appending their parameters to
// Params and their buffers to Buffers: the way to assemble a Model by hand.
func (m *Model) Add(mods ...Module) {
	for _, mod := range mods {
		m.Modules = append(m.Modules, mod)
		m.Params = append(m.Params, mod.Params()...)
		m.Buffers = append(m.Buffers, mod.Buffers()...)
	}
}

// newModel starts a zoo model: a fresh graph, the input x [B, xShape...] of
// the config's dtype, and the target y, int64 class indices [B] when
// classes is true, else float [B, 1].
func newModel(name string, cfg Config, classes bool, xShape ...int) (*Model, *rand.Rand, error) {
	return newModelX(name, cfg, classes, cfg.Dtype, xShape...)
}

// newModelX is newModel with x of dtype xdt (int64 for token ids).
func newModelX(name string, cfg Config, classes bool, xdt tensor.Dtype, xShape ...int) (*Model, *rand.Rand, error) {
	m, err := startModel(name, cfg, xdt, xShape...)
	if err != nil {
		return nil, nil, err
	}
	if classes {
		err = m.addTargets(tensor.Int64)
	} else {
		err = m.addTargets(cfg.Dtype, 1)
	}
	if err != nil {
		return nil, nil, err
	}
	return m, NewRNG(cfg.Seed), nil
}
