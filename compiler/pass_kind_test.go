package compiler

import (
	"fmt"
	"hash"
	"testing"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// impostorOp prints like one of Gorgonia's or symgrad's ops but is neither:
// its kind is unknown, so no rule may fire on it, whatever it prints.
type impostorOp struct {
	elementwise
	name  string
	arity int
}

func (op *impostorOp) Arity() int { return op.arity }
func (op *impostorOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	if op.arity == 2 {
		return hm.NewFnType(a, a, a)
	}
	return hm.NewFnType(a, a)
}
func (op *impostorOp) Do(in ...G.Value) (G.Value, error) { return in[0], nil }
func (op *impostorOp) String() string                    { return op.name }
func (op *impostorOp) WriteHash(h hash.Hash)             { fmt.Fprintf(h, "impostor %s %d", op.name, op.arity) }
func (op *impostorOp) Hashcode() uint32                  { return 0 }

// No default rule fires on ops of unknown kind, even when they print as
// the ops the rule rewrites.
func TestRulesIgnoreUnknownKinds(t *testing.T) {
	unary := []string{"ln", "exp", "neg", "sigmoid", "Aᵀ{1, 0}", "Σ[0 1]", "Softmax{1, false}()", "Reshape(2, 3)",
		"SizeOf(0)", "Repeat0", "reshape[2 3]->[3 2]", "broadcastrows", "gemm(A,Bᵀ)", "relu"}
	binary := []string{"+ false", "- false", "⊙ false", "÷ false", "^ false", "A × B", "gemm(A,Bᵀ)", "bce"}
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"))
	one := MustConstant(g, 1.0)
	var nodes []*G.Node
	for _, inner := range unary {
		a := G.Must(G.ApplyOp(&impostorOp{name: inner, arity: 1}, x))
		nodes = append(nodes, a)
		for _, outer := range unary {
			nodes = append(nodes, G.Must(G.ApplyOp(&impostorOp{name: outer, arity: 1}, a)))
		}
		for _, b := range binary {
			nodes = append(nodes, G.Must(G.ApplyOp(&impostorOp{name: b, arity: 2}, a, x)))
		}
	}
	for _, b := range binary {
		nodes = append(nodes, G.Must(G.ApplyOp(&impostorOp{name: b, arity: 2}, x, x)))
		s := G.Must(G.Sum(x))
		nodes = append(nodes, G.Must(G.ApplyOp(&impostorOp{name: b, arity: 2}, s, one)))
	}
	for _, r := range DefaultRules() {
		for _, n := range nodes {
			if r.Name == ruleFoldConstants {
				continue // folds any op of constant inputs; x is not one
			}
			out, err := r.Rewrite(n)
			if out != nil || err != nil {
				t.Errorf("rule %q fired on %v: %v, %v", r.Name, n, out, err)
			}
		}
	}
}
