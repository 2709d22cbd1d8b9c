// Package compiler turns a Gorgonia forward graph into a training
// program: Compile(loss, params, opts...) returns a *Program.
//
// # The pipeline
//
//  1. Validate (validate.go): shapes, dtypes, params are leaves, the loss is
//     a scalar; errors name the node at fault.
//  2. Copy (copy.go): what the loss and the outputs need is copied into a
//     fresh graph, so the user's graph is never modified.
//  3. Rewrite (pass.go runs the rules of package compiler/rewrite): the
//     copy is rewritten to a fixed point by small rules, each a pattern over
//     op kinds and its replacement, named by the identity it applies
//     ("log(sigmoid(x)) -> -softplus(-x)"), grouped in phases run in order:
//     Canonicalize (identities, static sizes, constant folding), Stabilize
//     (log(sigmoid(x)) -> -softplus(-x), nll(logsoftmax) -> crossentropy,
//     ...), Fuse (x @ Wᵀ + b -> linear), then Prune. Rules recognise ops by
//     kind (ops.Identify), never by printed form; an op of unknown kind is
//     left alone. DefaultRules lists them; WithPasses and WithRules choose;
//     the Program's Passes report counts what fired.
//  4. Penalties (WithL1, WithL2) are added as symbolic terms.
//  5. Differentiate: G.Grad builds the explicit gradient subgraph, which
//     stays inspectable (GradNode, IsGradientNode, Text, DOT, Stats).
//  6. Execute: the planned executor of package compiler/exec runs the
//     graph in a fixed order with preallocated buffers and native kernels
//     (package ops/kernels) checked bit for bit against each op's Do on
//     the first run; WithTapeMachine selects Gorgonia's TapeMachine
//     instead. A second machine runs inference only (RunInference).
//
// # The Program
//
// Bind feeds inputs by name, RunTrain computes the loss and the gradients,
// Grad and Loss read them; Params lists the trainable leaves, whose
// values optimizers update in place. WithNaNGuard stops at the first
// non-finite value with a NonFiniteError naming the node. HVP builds a
// Hessian-vector product program from a fresh copy of the gradient graph.
//
// The expression language (text -> graph, graph -> text) is the
// subpackage compiler/expr.
package compiler
