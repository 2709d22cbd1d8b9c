package compiler

import (
	"github.com/symgrad/symgrad/compiler/exec"
	G "gorgonia.org/gorgonia"
)

// userNodes are the nodes given to Compile, in the user's graph.
type userNodes struct {
	loss    *G.Node
	params  G.Nodes
	outputs G.Nodes
}

// newProgram starts a Program over the rewritten copy rw of the user's
// loss (rw.roots[0]), outputs (rw.roots[1:]) and params.
func newProgram(rw *rewritten, loss *G.Node, params []*G.Node, cfg config) *Program {
	p := &Program{g: rw.g, loss: rw.roots[0], params: rw.params, outputs: rw.roots[1:], guard: !cfg.noGuard,
		user:   userNodes{loss: loss, params: append(G.Nodes{}, params...), outputs: append(G.Nodes{}, cfg.outputs...)},
		toProg: rw.to, passes: rw.report}
	for u, m := range rw.to {
		if !isLeaf(u) && u != m {
			p.mirrored = append(p.mirrored, [2]*G.Node{u, m})
		}
	}
	return p
}

// mapNodes returns the copies of the user's nodes ns; a node with no copy
// stays as it is (and fails later checks by not being a program node).
func (rw *rewritten) mapNodes(ns G.Nodes) G.Nodes {
	if ns == nil {
		return nil
	}
	out := make(G.Nodes, len(ns))
	for i, n := range ns {
		if m, ok := rw.to[n]; ok {
			out[i] = m
		} else {
			out[i] = n
		}
	}
	return out
}

// Passes returns the pass pipeline's report: the rules that fired, and the
// forward graph before and after.
func (p *Program) Passes() *PassReport { return p.passes }

// ProgramNode returns the program's node for a node of the user's graph,
// and false when the passes removed or replaced it.
func (p *Program) ProgramNode(n *G.Node) (*G.Node, bool) {
	m, ok := p.toProg[n]
	return m, ok
}

// userNodes maps program nodes back to the user's nodes where there is
// one (leaves keep their names and values, so either serves).
func (p *Program) userNodes(ns G.Nodes) G.Nodes {
	back := make(map[*G.Node]*G.Node, len(p.toProg))
	for u, m := range p.toProg {
		back[m] = u
	}
	out := make(G.Nodes, len(ns))
	for i, n := range ns {
		if u, ok := back[n]; ok {
			out[i] = u
		} else {
			out[i] = n
		}
	}
	return out
}

// userError names the user's node in a *NonFiniteError when the culprit
// is a copy of one (the user's node is what the user can find).
func (p *Program) userError(err error) error {
	if nf, ok := err.(*NonFiniteError); ok && !nf.Gradient {
		nf.Node = p.userNodes(G.Nodes{nf.Node})[0]
	}
	return err
}

// mirror binds the value each program node got in the last run to the
// user's node it copies, so that reading an intermediate user node's
// Value() after a run keeps working (for nodes the passes kept; a node
// they replaced has no value).
func (p *Program) mirror() {
	for _, um := range p.mirrored {
		if v := um[1].Value(); v != nil {
			_ = exec.LetIfChanged(um[0], v)
		}
	}
}
