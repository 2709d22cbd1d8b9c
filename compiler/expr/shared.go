package expr

import (
	"fmt"
	"strings"
)

// MaxFormatTerms bounds the size of the text Format writes inline. Gradient
// graphs share subgraphs (the forward activations appear in many gradient
// terms); writing each use out in full grows exponentially with depth, so
// beyond this many terms Format names the shared subterms instead.
const MaxFormatTerms = 2000

// writeShared prints t inline when its expanded tree is small, else as
//
//	expression
//	where
//	  t1 = ...
//	  t2 = ...
//
// where each ti is a subterm used more than once (definitions only refer
// to earlier names).
func writeShared(t *term) string {
	if treeSize(t, map[*term]int{}) <= MaxFormatTerms {
		return t.String()
	}
	uses := map[*term]int{}
	var count func(u *term)
	count = func(u *term) {
		uses[u]++
		if uses[u] > 1 {
			return
		}
		for _, a := range u.args {
			count(a)
		}
	}
	count(t)
	names := map[*term]*term{} // shared term -> its name variable
	var defs []string
	subst := map[*term]*term{}
	var name func(u *term) *term
	name = func(u *term) *term {
		if v, ok := subst[u]; ok {
			return v
		}
		v := u
		if len(u.args) > 0 {
			c := *u
			c.args = make([]*term, len(u.args))
			for i, a := range u.args {
				c.args[i] = name(a)
			}
			v = &c
		}
		if uses[u] > 1 && len(u.args) > 0 && u != t {
			ref := &term{kind: varKind, name: fmt.Sprintf("t%d", len(names)+1)}
			names[u] = ref
			defs = append(defs, fmt.Sprintf("  %s = %s", ref.name, v))
			v = ref
		}
		subst[u] = v
		return v
	}
	root := name(t)
	return root.String() + "\nwhere\n" + strings.Join(defs, "\n")
}

// treeSize counts the terms of t written as a tree, saturating just above
// MaxFormatTerms.
func treeSize(t *term, memo map[*term]int) int {
	if n, ok := memo[t]; ok {
		return n
	}
	n := 1
	for _, a := range t.args {
		n += treeSize(a, memo)
		if n > MaxFormatTerms {
			n = MaxFormatTerms + 1
			break
		}
	}
	memo[t] = n
	return n
}
