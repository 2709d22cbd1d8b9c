// Package ops holds the differentiable operations symgrad builds networks
// from: activations, losses, normalization, penalties, and the ops Gorgonia
// lacks or gets wrong.
//
// Every builder takes and returns *gorgonia.Node and returns an error rather
// than panicking. Composite ops are written in terms of Gorgonia primitives
// whose symbolic gradients have been checked; ops that need their own
// gradient implement gorgonia.Op with SymDiff, with the forward rule and the
// gradient rule documented side by side.
package ops
