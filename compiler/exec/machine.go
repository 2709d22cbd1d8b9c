package exec

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/internal/panics"
)

// Mode says whether ops with a train/eval switch (dropout, batch norm) run
// in training or evaluation mode.
type Mode int

const (
	// Training mode: dropout drops, batch norm uses batch statistics.
	Training Mode = iota
	// Evaluation mode: dropout is the identity, batch norm uses running
	// statistics.
	Evaluation
)

// String returns "training" or "evaluation".
func (m Mode) String() string {
	if m == Evaluation {
		return "evaluation"
	}
	return "training"
}

// setMode sets the mode of the given ops, a runner's ops with a train/eval
// switch, before a run.
func setMode(modal []G.TrainModeOp, mode Mode) error {
	for _, op := range modal {
		if err := op.SetTraining(mode == Training); err != nil {
			return errors.Wrap(err, "setting the train/eval mode")
		}
	}
	return nil
}

// Runner executes a compiled subgraph: a Plan (symgrad's executor) or a
// Machine (Gorgonia's TapeMachine).
type Runner interface {
	// Run executes the subgraph once in the given mode.
	Run(mode Mode) error
	// Graph returns the subgraph the runner executes.
	Graph() *G.ExprGraph
	// Close releases the runner's resources.
	Close()
}

// Machine is a TapeMachine on a graph, plus the ops in it that have a
// train/eval switch.
//
// Gorgonia's ops with a train/eval switch are shared by every machine built
// on a graph, and NewTapeMachine(EvalMode()) flips them for all machines. A
// machine therefore sets the mode of its own ops before every run, so
// training and inference never leak modes into each other.
type Machine struct {
	vm    G.VM
	g     *G.ExprGraph
	modal []G.TrainModeOp
}

var _ Runner = (*Machine)(nil)

// NewMachine builds a TapeMachine on g (which its caller makes an exact
// subgraph whose values leave through G.Read statements: after a run an
// intermediate node's Value() may hold a reused register).
func NewMachine(g *G.ExprGraph, opts ...G.VMOpt) (m *Machine, err error) {
	defer panics.Recover(&err, "building a TapeMachine")
	m = &Machine{g: g}
	for _, n := range g.AllNodes() {
		if op, ok := n.Op().(G.TrainModeOp); ok {
			m.modal = append(m.modal, op)
		}
	}
	m.vm = G.NewTapeMachine(g, opts...)
	return m, nil
}

// Run resets the machine (without a Reset, RunAll silently does nothing the
// second time) and runs it once in the given mode.
func (m *Machine) Run(mode Mode) (err error) {
	defer panics.Recover(&err, "run")
	if err := setMode(m.modal, mode); err != nil {
		return err
	}
	m.vm.Reset()
	return m.vm.RunAll()
}

// Close closes the TapeMachine; a nil Machine is fine.
func (m *Machine) Close() {
	if m != nil && m.vm != nil {
		m.vm.Close()
	}
}

// Graph returns the graph the machine runs.
func (m *Machine) Graph() *G.ExprGraph { return m.g }
