package compiler

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

func (m Mode) String() string {
	if m == Evaluation {
		return "evaluation"
	}
	return "training"
}

// runner executes a compiled subgraph: a plan (symgrad's executor, the
// default) or a TapeMachine (WithTapeMachine).
type runner interface {
	run(mode Mode) error
	graph() *G.ExprGraph
	close()
}

// machine is a TapeMachine on an exact subgraph, plus the ops in it that
// have a train/eval switch.
//
// Gorgonia's ops with a train/eval switch are shared by every machine built
// on a graph, and NewTapeMachine(EvalMode()) flips them for all machines. A
// machine therefore sets the mode of its own ops before every run, so
// training and inference never leak modes into each other.
type machine struct {
	vm    G.VM
	g     *G.ExprGraph
	modal []G.TrainModeOp
}

func newMachine(g *G.ExprGraph, opts ...G.VMOpt) (m *machine, err error) {
	defer panics.Recover(&err, "building a TapeMachine")
	m = &machine{g: g}
	for _, n := range g.AllNodes() {
		if op, ok := n.Op().(G.TrainModeOp); ok {
			m.modal = append(m.modal, op)
		}
	}
	m.vm = G.NewTapeMachine(g, opts...)
	return m, nil
}

// run resets the machine (without a Reset, RunAll silently does nothing the
// second time) and runs it once in the given mode.
func (m *machine) run(mode Mode) (err error) {
	defer panics.Recover(&err, "run")
	for _, op := range m.modal {
		if err := op.SetTraining(mode == Training); err != nil {
			return errors.Wrap(err, "setting the train/eval mode")
		}
	}
	m.vm.Reset()
	return m.vm.RunAll()
}

func (m *machine) close() {
	if m != nil && m.vm != nil {
		m.vm.Close()
	}
}

func (m *machine) graph() *G.ExprGraph { return m.g }
