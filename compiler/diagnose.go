package compiler

import (
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/compiler/exec"
	"github.com/symgrad/symgrad/ops"

	"github.com/symgrad/symgrad/internal/graphindex"
	"github.com/symgrad/symgrad/internal/panics"
)

// NonFiniteError reports the first node, in execution order, whose value
// was NaN or ±Inf while all of its inputs were finite.
type NonFiniteError struct {
	Node     *G.Node
	Gradient bool   // the node belongs to the gradient subgraph
	What     string // "NaN", "+Inf" or "-Inf"
	At       []int  // the first offending element
}

func (e *NonFiniteError) Error() string {
	n := e.Node
	part := "forward"
	if e.Gradient {
		part = "gradient"
	}
	if n.IsVar() {
		return fmt.Sprintf("non-finite value: input %q holds %s at element %v", n.Name(), e.What, e.At)
	}
	return fmt.Sprintf("non-finite value: %s node %d %q (op %v, shape %v) produced %s at element %v from finite inputs",
		part, n.ID(), n.Name(), n.Op(), n.Shape(), e.What, e.At)
}

// diagnose finds the culprit of a non-finite loss or gradient. A plan keeps
// every node's value, so it just scans them; a TapeMachine reuses its
// registers, so the pass is rerun on a tracing machine, which keeps a copy
// of every node's value. It returns a *NonFiniteError for the first
// node, in execution order, that produced a non-finite value. It is only
// called after a run went wrong, so its cost (a second compile and run)
// does not matter.
func (p *Program) diagnose() (err error) {
	defer panics.Recover(&err, "diagnosing a non-finite value")
	_, kept := p.train.(*exec.Plan) // a plan keeps every node's value
	var runErr error
	if !kept {
		m, err := exec.NewMachine(p.train.Graph(), G.TraceExec())
		if err != nil {
			return err
		}
		defer m.Close()
		runErr = m.Run(Training)
	}
	sorted, err := graphindex.Sort(p.train.Graph())
	if err != nil {
		return errors.Wrap(err, "diagnosing a non-finite value")
	}
	for i := len(sorted) - 1; i >= 0; i-- { // G.Sort puts roots first
		n := sorted[i]
		v := n.Value()
		if v == nil || ops.KindOf(n) == ops.KindRead {
			continue
		}
		if at, what, bad := firstNonFinite(v); bad {
			return &NonFiniteError{Node: n, Gradient: p.gradNodes[n], What: what, At: at}
		}
	}
	switch {
	case kept:
		return errors.New("non-finite value in the loss or gradients, but no node produced one")
	case runErr != nil:
		return errors.Wrap(runErr, "non-finite value in the loss or gradients; the tracing rerun failed")
	}
	return errors.New("non-finite value in the loss or gradients, but a traced rerun produced none (a nondeterministic op?)")
}
