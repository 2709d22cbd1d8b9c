package compiler

import (
	"cmp"
	"slices"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
	"math"

	"github.com/symgrad/symgrad/compiler/exec"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// Compile validates the forward graph of loss, copies what the loss and
// the outputs need into a fresh graph and rewrites the copy with the pass
// pipeline (DefaultRules: canonicalize, stabilize, fuse, prune; see
// WithPasses), adds the configured penalty terms, differentiates the
// rewritten copy symbolically with respect to params (an explicit gradient
// subgraph, Gorgonia's G.Grad), and packages the result into a Program with
// a training machine (loss and gradients) and an inference machine (only
// the outputs' subgraph).
//
// The user's graph is never modified: its leaves' values are shared with
// the copy (so optimizers updating Params()[i].Value update the program),
// its nodes keep their meaning for every other user, and it can be compiled
// again.
//
// With a nil loss and outputs (WithOutputs), Compile builds an
// inference-only program, as CompileInference(outputs, params) does.
func Compile(loss *G.Node, params []*G.Node, opts ...Option) (p *Program, err error) {
	defer panics.Recover(&err, "compile")
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if loss == nil && len(cfg.outputs) > 0 {
		return compileInference(params, cfg)
	}
	if err := validate(loss, params, cfg.outputs); err != nil {
		return nil, err
	}
	rw, err := rewriteGraph(append(G.Nodes{loss}, cfg.outputs...), params, cfg.ruleSet(false))
	if err != nil {
		return nil, errors.Wrap(err, "compile")
	}
	p = newProgram(rw, loss, params, cfg)
	cfg.l1Params, cfg.l2Params = rw.mapNodes(cfg.l1Params), rw.mapNodes(cfg.l2Params)
	if p.objective, err = addPenalties(p.loss, p.params, &cfg); err != nil {
		return nil, err
	}
	p.penalties = penaltiesOf(&cfg, p.params)
	nForward := len(p.g.AllNodes())
	grads, err := symbolicGrad(p.objective, p.params)
	if err != nil {
		return nil, errors.Wrap(err, "compile: symbolic differentiation")
	}
	p.grads = grads
	p.gradNodes = make(map[*G.Node]bool)
	for _, n := range p.g.AllNodes()[nForward:] {
		p.gradNodes[n] = true
	}
	if err := p.buildMachines(cfg.tape); err != nil {
		return nil, err
	}
	return p, nil
}

// CompileInference compiles the outputs alone, with no loss, no gradients
// and no optimizer: a program whose RunInference computes the outputs in
// evaluation mode (PyTorch's model.eval() under torch.no_grad()). params
// are the weights among the outputs' leaves (they are read, never bound;
// Params() lists them with a nil Grad); every other leaf but constants is
// an input to bind. The graph is rewritten by the passes and planned as
// Compile does. RunTrain and RunLoss return an error.
func CompileInference(outputs, params []*G.Node, opts ...Option) (p *Program, err error) {
	defer panics.Recover(&err, "compile")
	if len(outputs) == 0 {
		return nil, errors.New("compile: no outputs to compute")
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	cfg.outputs = append(append(G.Nodes{}, outputs...), cfg.outputs...)
	return compileInference(params, cfg)
}

func compileInference(params []*G.Node, cfg config) (*Program, error) {
	if cfg.l1 != 0 || cfg.l2 != 0 {
		return nil, errors.New("compile: L1/L2 penalties need a loss (an inference program has none)")
	}
	g := cfg.outputs[0].Graph()
	for i, o := range cfg.outputs {
		if o == nil || o.Graph() == nil || o.Graph() != g {
			return nil, errors.Errorf("compile: output %d is nil or not in the first output's graph", i)
		}
	}
	reach := reachableAll(cfg.outputs)
	seen := make(map[*G.Node]bool, len(params))
	for i, prm := range params {
		if err := validateParam(i, prm, g, reach, seen); err != nil {
			return nil, errors.Wrap(err, "inference")
		}
	}
	rw, err := rewriteGraph(cfg.outputs, params, cfg.ruleSet(false))
	if err != nil {
		return nil, errors.Wrap(err, "compile")
	}
	p := newProgram(rw, nil, params, cfg)
	p.loss, p.outputs = nil, rw.roots
	p.outVals = make([]G.Value, len(p.outputs))
	var out readList
	for i, o := range p.outputs {
		p.outVals[i] = exec.ZeroValue(o)
		out.add(o, &p.outVals[i])
	}
	if p.infer, err = newRunner(out, cfg.tape); err != nil {
		return nil, errors.Wrap(err, "compile: inference program")
	}
	p.inputs = bindableInputs(p.infer.Graph(), p.params)
	p.inferIn = p.inputs
	p.markPrebound(p.inputs)
	return p, nil
}

// Leaves returns the leaves the values of roots depend on (inputs, params
// and constants), in graph order.
func Leaves(roots ...*G.Node) G.Nodes {
	var out G.Nodes
	if len(roots) == 0 || roots[0] == nil || roots[0].Graph() == nil {
		return nil
	}
	reach := reachableAll(roots)
	for _, n := range roots[0].Graph().AllNodes() {
		if reach[n] && n.IsVar() {
			out = append(out, n)
		}
	}
	return out
}

// addPenalties returns loss plus the configured L1 and L2 terms.
func addPenalties(loss *G.Node, params []*G.Node, cfg *config) (*G.Node, error) {
	obj := loss
	add := func(lambda float64, on G.Nodes, pen func(float64, ...*G.Node) (*G.Node, error), name string) error {
		if lambda == 0 {
			return nil
		}
		if lambda < 0 || math.IsNaN(lambda) || math.IsInf(lambda, 0) {
			return errors.Errorf("compile: %s coefficient %g must be a finite number >= 0", name, lambda)
		}
		if len(on) == 0 {
			on = params
		}
		for _, n := range on {
			if !containsNode(params, n) {
				return errors.Errorf("compile: %s names %q, which is not a parameter", name, n.Name())
			}
		}
		term, err := pen(lambda, on...)
		if err != nil {
			return err
		}
		obj, err = G.Add(obj, term)
		return errors.Wrapf(err, "compile: adding the %s", name)
	}
	if err := add(cfg.l1, cfg.l1Params, ops.L1Penalty, "L1 penalty"); err != nil {
		return nil, err
	}
	if err := add(cfg.l2, cfg.l2Params, ops.L2Penalty, "L2 penalty"); err != nil {
		return nil, err
	}
	return obj, nil
}

// buildMachines allocates the destinations through which values leave
// the program and builds the runners for training, forward-only and
// inference runs.
func (p *Program) buildMachines(tape bool) error {
	p.lossVal = exec.ZeroValue(p.loss)
	fwd := readList{}
	fwd.add(p.loss, &p.lossVal)
	if p.objective != p.loss {
		p.objVal = exec.ZeroValue(p.objective)
		fwd.add(p.objective, &p.objVal)
	}
	p.outVals = make([]G.Value, len(p.outputs))
	var out readList
	for i, o := range p.outputs {
		p.outVals[i] = exec.ZeroValue(o)
		out.add(o, &p.outVals[i])
	}
	fwd.nodes, fwd.into = append(fwd.nodes, out.nodes...), append(fwd.into, out.into...)
	train := readList{nodes: append(G.Nodes{}, fwd.nodes...), into: append([]*G.Value{}, fwd.into...)}
	p.gradVals = make([]G.Value, len(p.grads))
	for i, gn := range p.grads {
		p.gradVals[i] = tensor.New(tensor.Of(gn.Dtype()), tensor.WithShape(p.params[i].Shape()...))
		train.add(gn, &p.gradVals[i])
	}
	p.build = func(r readList) (exec.Runner, error) { return newRunner(r, tape) }
	p.forwardReads = fwd

	var err error
	if p.train, err = p.build(train); err != nil {
		return errors.Wrap(err, "compile: training program")
	}
	if len(out.nodes) > 0 {
		if p.infer, err = p.build(out); err != nil {
			return errors.Wrap(err, "compile: inference program")
		}
	}
	p.inputs = bindableInputs(p.train.Graph(), p.params)
	if p.infer != nil {
		p.inferIn = bindableInputs(p.infer.Graph(), p.params)
	}
	p.markPrebound(p.inputs)
	p.markPrebound(p.inferIn)
	return nil
}

// readList pairs the nodes a runner must compute with the destinations
// their values are copied into after each run.
type readList struct {
	nodes G.Nodes
	into  []*G.Value
}

func (r *readList) add(n *G.Node, into *G.Value) {
	r.nodes = append(r.nodes, n)
	r.into = append(r.into, into)
}

// newRunner builds a plan, or a TapeMachine whose values leave through
// Read statements (the supported way: an intermediate node's Value() may
// hold a reused register).
func newRunner(r readList, tape bool) (exec.Runner, error) {
	if !tape {
		return exec.NewPlan(r.nodes, r.into)
	}
	reads := make(G.Nodes, len(r.nodes))
	for i, n := range r.nodes {
		reads[i] = G.Read(n, r.into[i])
	}
	return exec.NewMachine(r.nodes[0].Graph().ExactSubgraphRoots(reads...))
}

// bindableInputs lists the leaves of g that are neither params nor constants.
func bindableInputs(g *G.ExprGraph, params []*G.Node) G.Nodes {
	var in G.Nodes
	for _, n := range g.AllNodes() {
		if n.IsVar() && !IsConstant(n) && !containsNode(params, n) {
			in = append(in, n)
		}
	}
	// A subgraph's node list comes out of a set, in a different order on
	// every run: sort by ID, the order the nodes were made in.
	slices.SortFunc(in, func(a, b *G.Node) int { return cmp.Compare(a.ID(), b.ID()) })
	return in
}

func containsNode(ns []*G.Node, n *G.Node) bool {
	for _, m := range ns {
		if m == n {
			return true
		}
	}
	return false
}
