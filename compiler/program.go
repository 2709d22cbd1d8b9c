package compiler

import (
	"fmt"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler/exec"
	"github.com/symgrad/symgrad/internal/typednil"
)

// Program is a compiled training problem: the forward graph, its explicit
// gradient subgraph, and the machines that run them. A Program is not safe
// for concurrent use.
type Program struct {
	g         *G.ExprGraph // the program's graph: the rewritten copy and its gradients
	loss      *G.Node      // the program's copy of the data loss
	objective *G.Node      // loss plus penalty terms (== loss without penalties)
	params    G.Nodes
	grads     G.Nodes // grads[i] is d objective / d params[i]
	outputs   G.Nodes
	inputs    G.Nodes // leaves to bind before a run
	inferIn   G.Nodes // the inputs the outputs need (RunInference)
	bound     map[*G.Node]bool
	gradNodes map[*G.Node]bool
	guard     bool

	// The user's nodes as given to Compile, and the map from every user
	// node that survived the passes to its program node.
	user      userNodes
	toProg    map[*G.Node]*G.Node
	mirrored  [][2]*G.Node  // (user node, program node) pairs whose values mirror() copies
	penalties []penaltyTerm // the objective's L1/L2 terms, for ReferenceObjective
	passes    *PassReport

	// Values leave the machines through Read statements that copy into
	// these preallocated destinations, never through an intermediate node's
	// Value(), which may hold a reused register.
	lossVal, objVal G.Value
	gradVals        []G.Value
	outVals         []G.Value

	forwardReads readList // the loss, objective and outputs
	build        func(readList) (exec.Runner, error)

	train, forward, infer exec.Runner
}

// Param is one parameter as a program exposes it: its node, its value
// (updated in place by optimizers) and the gradient of the last training
// run.
type Param struct {
	Name  string
	Node  *G.Node
	Value *tensor.Dense
	Grad  *tensor.Dense
}

// Graph returns the program's expression graph: the rewritten copy of the
// forward graph and its gradient subgraph (not the graph given to Compile).
func (p *Program) Graph() *G.ExprGraph { return p.g }

// LossNode returns the loss node as given to Compile (without penalties).
func (p *Program) LossNode() *G.Node { return p.user.loss }

// ObjectiveNode returns the node that is differentiated: the loss plus the
// L1/L2 penalty terms (the loss itself when there are none).
func (p *Program) ObjectiveNode() *G.Node { return p.objective }

// Outputs returns the output nodes given with WithOutputs (the user's
// nodes; Output(i) holds their values).
func (p *Program) Outputs() G.Nodes { return p.user.outputs }

// Inputs returns the leaves that must be bound before a run, in graph
// order: the user's nodes where they exist (they share their values with
// the program's).
func (p *Program) Inputs() G.Nodes { return p.userNodes(p.inputs) }

// GradNode returns the gradient node of params[i].
// It is nil when i is out of range.
func (p *Program) GradNode(i int) *G.Node {
	if p == nil || i < 0 || i >= len(p.grads) {
		return nil
	}
	return p.grads[i]
}

// IsGradientNode reports whether n was added by symbolic differentiation.
func (p *Program) IsGradientNode(n *G.Node) bool { return p.gradNodes[n] }

// Params returns every parameter with its value and its gradient tensor.
// Node is the user's node; Value is the tensor it owns (the program's copy
// shares it). The tensors stay the same across runs, so the slice can be
// built once and reused by an optimizer.
func (p *Program) Params() []Param {
	out := make([]Param, len(p.params))
	for i, n := range p.params {
		out[i] = Param{Name: n.Name(), Node: p.user.params[i], Value: n.Value().(*tensor.Dense)}
		if i < len(p.gradVals) { // an inference-only program has none
			out[i].Grad = p.gradVals[i].(*tensor.Dense)
		}
	}
	return out
}

// ParamTensors returns the parameters' names, values and gradient tensors,
// in Params order (optimizers.ParamSource: optimizers.ParamsOf(p) gives an
// optimizer's parameter list).
func (p *Program) ParamTensors() (names []string, values, grads []*tensor.Dense) {
	for _, prm := range p.Params() {
		names, values, grads = append(names, prm.Name), append(values, prm.Value), append(grads, prm.Grad)
	}
	return names, values, grads
}

// Grad returns the gradient of the objective with respect to param (the
// user's node or the program's copy), as computed by the last RunTrain.
func (p *Program) Grad(param *G.Node) (*tensor.Dense, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if param == nil {
		return nil, errors.New("grad: nil param node")
	}
	for i, n := range p.params {
		if n == param || p.user.params[i] == param {
			return p.gradVals[i].(*tensor.Dense), nil
		}
	}
	return nil, errors.Errorf("%q is not a parameter of this program", param.Name())
}

// Loss returns the data loss of the last run (without penalty terms).
func (p *Program) Loss() float64 { return scalarFloat(p.lossVal) }

// Objective returns the loss plus penalties of the last run.
func (p *Program) Objective() float64 {
	if p.objVal == nil {
		return p.Loss()
	}
	return scalarFloat(p.objVal)
}

// Output returns the value of outputs[i] from the last run.
// It is nil when i is out of range (or before the first run).
func (p *Program) Output(i int) G.Value {
	if p == nil || i < 0 || i >= len(p.outVals) {
		return nil
	}
	return p.outVals[i]
}

// Bind copies v into the input named name. The shape and dtype must match
// the input's exactly; with the NaN guard on, v must be finite. Every input
// a run needs must have been bound once (a run on an input never bound is
// an error naming it); the value stays bound for later runs.
func (p *Program) Bind(name string, v tensor.Tensor) error {
	if err := p.check(); err != nil {
		return err
	}
	return p.bind(name, v)
}

// bind is Bind on any inputs (HVPProgram binds through it).
func (p *Program) bind(name string, v tensor.Tensor) error {
	for _, n := range p.inputs {
		if n.Name() == name {
			return p.bindNode(n, v)
		}
	}
	names := make([]string, len(p.inputs))
	for i, n := range p.inputs {
		names[i] = n.Name()
	}
	return errors.Errorf("bind: no input named %q (inputs: %s)", name, strings.Join(names, ", "))
}

// boundShape returns the shape of n's bound dense value without copying
// it (a dense tensor's Shape is its own), else a copy of n's shape
// (G.Node.Shape clones it on every call).
func boundShape(n *G.Node) tensor.Shape {
	if d, ok := n.Value().(*tensor.Dense); ok {
		return d.Shape()
	}
	return n.Shape()
}

func (p *Program) bindNode(n *G.Node, v tensor.Tensor) error {
	if typednil.Is(v) {
		return errors.Errorf("bind %q: nil value", n.Name())
	}
	if !v.Shape().Eq(boundShape(n)) {
		return errors.Errorf("bind %q: value has shape %v, the input has shape %v", n.Name(), v.Shape(), n.Shape())
	}
	if v.Dtype() != n.Dtype() {
		return errors.Errorf("bind %q: value has dtype %v, the input has dtype %v", n.Name(), v.Dtype(), n.Dtype())
	}
	if p.guard {
		if at, what, bad := firstNonFinite(v); bad {
			return errors.Errorf("bind %q: element %v is %s", n.Name(), at, what)
		}
	}
	dst, ok := n.Value().(*tensor.Dense)
	if !ok {
		return errors.Wrapf(G.Let(n, v), "bind %q", n.Name())
	}
	if err := copyData(dst, v); err != nil {
		return errors.Wrapf(err, "bind %q", n.Name())
	}
	p.markBound(n)
	return nil
}

func (p *Program) markBound(n *G.Node) {
	if p.bound == nil {
		p.bound = make(map[*G.Node]bool)
	}
	p.bound[n] = true
}

// checkBound returns an error naming every input of need that was never
// bound: running on the zeros NewInput starts an input with would be a
// silent mistake.
func (p *Program) checkBound(run string, need G.Nodes) error {
	var missing []string
	for _, n := range need {
		if !p.bound[n] {
			missing = append(missing, fmt.Sprintf("%q %v", n.Name(), n.Shape()))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return errors.Errorf("%s: input %s never bound (call Bind before the first run)", run, strings.Join(missing, ", "))
}

// InferenceOnly reports whether the program was compiled without a loss
// (CompileInference): it runs RunInference only.
func (p *Program) InferenceOnly() bool { return p.train == nil }

// RunTrain runs one training pass: the forward graph in training mode and
// the gradient subgraph. Afterwards Loss, Objective, Outputs and the
// params' Grad tensors hold this pass's values.
func (p *Program) RunTrain() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := p.checkLossRun("training run"); err != nil {
		return err
	}
	if err := p.train.Run(Training); err != nil {
		return errors.Wrap(err, "training run")
	}
	p.mirror()
	if p.guard {
		return p.userError(p.checkFinite())
	}
	return nil
}

// RunLoss runs the forward graph only (loss, objective and outputs, no
// gradients) in the given mode: Evaluation for a validation loss,
// Training for a gradient check.
func (p *Program) RunLoss(mode Mode) (err error) {
	if err := p.check(); err != nil {
		return err
	}
	if mode != Training && mode != Evaluation {
		return errors.Errorf("forward run: unknown mode %d (compiler.Training or compiler.Evaluation)", int(mode))
	}
	if err := p.checkLossRun("forward run"); err != nil {
		return err
	}
	if p.forward == nil {
		if p.forward, err = p.build(p.forwardReads); err != nil {
			return errors.Wrap(err, "building the forward machine")
		}
	}
	defer p.mirror()
	return errors.Wrapf(p.forward.Run(mode), "forward run (%v mode)", mode)
}

// RunInference computes the outputs only, in evaluation mode, on a machine
// that holds no gradient node and needs no targets bound.
func (p *Program) RunInference() error {
	if err := p.check(); err != nil {
		return err
	}
	if p.infer == nil {
		return errors.New("inference run: the program has no outputs (use WithOutputs)")
	}
	if err := p.checkBound("inference run", p.inferIn); err != nil {
		return err
	}
	defer p.mirror()
	return errors.Wrap(p.infer.Run(Evaluation), "inference run")
}

// Close releases the machines.
func (p *Program) Close() error {
	for _, r := range []exec.Runner{p.train, p.forward, p.infer} {
		if r != nil {
			r.Close()
		}
	}
	return nil
}

func scalarFloat(v G.Value) float64 {
	switch s := v.(type) {
	case *G.F64:
		return float64(*s)
	case *G.F32:
		return float64(*s)
	}
	return 0
}

// checkLossRun is what a run of the loss needs beyond check: a loss, and
// every input bound.
func (p *Program) checkLossRun(run string) error {
	if p.train == nil {
		return errors.Errorf("%s: the program was compiled for inference only (no loss)", run)
	}
	return p.checkBound(run, p.inputs)
}

// check refuses a nil Program and one not made by Compile (the zero
// value), whose methods would otherwise dereference nil machines.
func (p *Program) check() error {
	if p == nil {
		return errors.New("nil *compiler.Program")
	}
	if p.train == nil && p.infer == nil {
		return errors.New("compiler.Program was not made by Compile (it is the zero value)")
	}
	return nil
}
