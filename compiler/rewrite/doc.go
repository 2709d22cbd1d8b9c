// Package rewrite holds the compiler's graph rewrite rules, the pattern
// notation they are written in, and the phases that group them.
//
// A rule reads like the identity it applies: its left side is a Pattern
// over op kinds (ops.Kind), never over an op's printed form, and its name
// is that pattern printed followed by the replacement,
//
//	log(sigmoid(x)) -> -softplus(-x)
//
// as tinygrad's pattern matcher and Theano/PyTensor's rewrites read. The
// few rules that are not a tree pattern (constant folding, static sizes)
// are functions with a name of the same form.
//
// Default returns the rules compiler.Compile runs, fresh on every call, so
// that no rule is a mutable global. The compiler applies them phase by
// phase (Phases), each phase to a fixed point, on a copy of the user's
// graph; see package compiler for the pipeline.
package rewrite
