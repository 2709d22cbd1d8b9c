// Package gradcheck compares symgrad's symbolic gradients with numeric ones.
//
// A check compiles the function once (compiler.Compile), runs RunTrain for
// the analytic gradient g, then perturbs each parameter element x_i in place
// and evaluates the objective twice for the central difference
//
//	n_i = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)
//
// restoring x_i exactly afterwards. An element passes when
//
//	|g_i - n_i| <= atol + rtol |n_i|
//
// (PyTorch's torch.autograd.gradcheck rule; defaults eps 1e-6, atol 1e-5,
// rtol 1e-3).
//
// The numeric side never runs the program being checked: every f is
// Program.ReferenceObjective, which interprets the graph given to Compile
// op by op (no graph copy, rewrite pass, execution plan or gradient node),
// so a program that computes the wrong function cannot confirm its own
// gradient. The program's objective at x is compared with the reference
// value too; a mismatch adds a failing "forward" row naming both values. Fast mode compares <g, v> with (f(x+eps v) - f(x-eps v))/(2 eps)
// for a few seeded random unit directions v per parameter, and reruns full
// mode on a parameter whose directional check fails so the report names the
// worst element.
//
// An element whose one-sided differences (f(x+eps)-f(x))/eps and
// (f(x)-f(x-eps))/eps disagree beyond the tolerance, and whose analytic value
// lies between them (a subgradient), is a kink (ReLU or |x| at 0, max with
// ties): it is counted separately and does not fail the check.
//
// Every check also runs RunTrain a second time after the numeric loop and
// requires bit-identical gradients (no state left in a VM, every perturbed
// element restored).
//
// Order 2 checks Hessian-vector products: the symbolic H v is the gradient of
// <grad f, v> built with a second G.Grad on a fresh graph (hessian.go), the
// numeric one is (grad f(x+eps v) - grad f(x-eps v)) / (2 eps).
//
// float32 functions are checked through a float64 twin: the same function
// built in float64 with the float32 values converted exactly; the float32
// forward value and gradients are then compared with the twin's using
// float32 tolerances.
//
// Entry points: CheckProgram (a compiled float64 program with its inputs
// bound), Check (any Builder), CheckOp (a registered op), CheckModel (a zoo
// model). Reports print as aligned tables (WriteTable) or JSON (WriteJSON).
package gradcheck
