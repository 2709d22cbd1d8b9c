// Package expr is symgrad's expression language: text to a Gorgonia graph
// (Parse, Build) and a graph back to text (Format), used by the gradcheck
// CLI (`gradcheck expr 'sum(tanh(x @ W + b))' --var x=4x3 ...`) and to show
// gradient subgraphs as formulas.
//
// # Grammar
//
// Lowest precedence first; binary operators are left-associative except ^:
//
//	expr    = term { ("+" | "-") term }
//	term    = unary { ("*" | "/" | "@") unary }
//	unary   = "-" unary | power
//	power   = primary [ "^" unary ]
//	primary = number | name | name "(" [ expr { "," expr } ] ")" | "(" expr ")"
//
// Numbers are 12, 1.5, .5, 2., 1e-3, 2.5E+4; names are letters, digits and
// underscores, not starting with a digit; '#' starts a comment to the end of
// the line. As in mathematics -x^2 = -(x^2) and 2^3^2 = 2^(3^2); the
// exponent may carry a sign (x^-1). Nesting (parentheses, calls, minus
// signs) is limited to MaxDepth levels. Parse errors are *SyntaxError values
// "line L, column C: msg" (columns count characters).
//
// # Semantics (Build)
//
//   - a name is the node bound to it in Build's vars map;
//   - a number used as an operand is a scalar constant of the variables'
//     dtype (float64 without variables);
//   - + - * / are elementwise with broadcasting (below);
//   - x^2 is square(x); x^c for another literal c is Pow(x, c), whose
//     gradient c*x^(c-1) is checked numerically in the tests, also for
//     negative x; x^y for a non-literal y is an elementwise, broadcasting
//     Pow (its gradient in y, x^y*log(x), needs x > 0);
//   - @ is ops.MatMul (G.Mul): matrix @ matrix [m,k]@[k,n] -> [m,n],
//     matrix @ vector [m,k]@[k] -> [m], vector @ matrix [k]@[k,n] -> [n],
//     vector @ vector [k]@[k] -> scalar; other ranks or mismatched inner
//     sizes are errors;
//   - f(args) calls ops.Lookup(f).Apply(nodes, params): the trailing
//     numeric literals (possibly negated) are params (axes, slopes, shapes:
//     sum(x, 0), reshape(x, 2, 6), leakyrelu(x, 0.01)), the other arguments
//     are nodes; when fewer nodes than the op's MinNodes are written, the
//     first literals become scalar constant nodes instead.
//     Examples: clamp(x, -1, 1) and clamp(x, 0) (min only);
//     maximum(x, 0) (the 0 becomes a constant operand); where(m, a, b) with a
//     float mask m (true where m > 0: the language has no comparisons);
//     add, sub, mul, div as the operators; matmul(a, b) is torch.matmul,
//     batched over broadcast leading axes when an operand has rank 3 or
//     more (the @ operator takes ranks 1 and 2 only); argmax(x, 1) and
//     argmin(x, 1) give int64 class indices that crossentropy and nll take;
//     crossentropy(x, c, w, 0.1, 2, 0) is PyTorch's cross_entropy with
//     weight w, label_smoothing 0.1, ignore_index 2 and reduction 0 mean,
//     1 sum, 2 none (every argument after c optional).
//
// Semantic errors (unknown variable or function, incompatible shapes, an op
// rejecting its arguments) are *BuildError values carrying the line and
// column of the name, call or operator.
//
// # Broadcasting
//
// The numpy rule. Shapes are aligned at their trailing axis; a missing axis
// counts as size 1; on every axis the two sizes must be equal or one of them
// 1, and the result takes the larger. A scalar broadcasts to any shape.
// Examples: [4,2] + [2] -> [4,2]; [4,1] * [1,3] -> [4,3]; [2,3,4] / [3,1]
// -> [2,3,4]; [4,2] + [3] is an error naming both shapes and the operator's
// position. Implementation: the operators are ops.Add, ops.Sub, ops.Mul,
// ops.Div and ops.Pow, the Go API's arithmetic, which holds the one
// implementation of the rule (ops/arith.go): a scalar operand goes to
// Gorgonia's scalar-tensor op; otherwise the lower-rank operand is reshaped
// with leading 1-axes (symgrad's copying reshape) and the size-1 axes are
// repeated with G.BroadcastAdd / BroadcastSub / BroadcastHadamardProd /
// BroadcastHadamardDiv / BroadcastPow and explicit left/right axis patterns.
// The gradient of a broadcast operand is the sum over its repeated axes
// (for [4,2] + [2], the column sums), checked numerically in the tests.
// Gorgonia's patterns cover at most 4 axes, so broadcasting results of rank
// above 4 are an error (equal shapes of any rank are fine).
//
// # Format
//
// Format writes a node's computation (typically a gradient subgraph) as
// text: each Gorgonia op as an operator or a call (see Format), then
// simplified by small rewrite rules run bottom-up to a fixed point, each
// rule's identity in its comment (simplify.go): x*1 -> x, x+0 -> x,
// --x -> x, constant folding, x*x -> x^2, coefficient collection
// (3*(x^2)*1 -> 3*x^2), like terms (x^2 + x^2 -> 2*x^2), and dropping the
// explicit broadcasts (repeat, reshape to leading 1-axes) that the
// broadcasting rule implies. A constant tensor whose elements are all equal
// is written as that number (the gradient of sum(x) is 1). Subgraphs used
// many times are written out at each use unless the text would exceed
// MaxFormatTerms terms; then they are named t1, t2, ... after a "where"
// line. Format of a forward graph built by Build gives back the canonical
// text of its source when no rule applies to it.
package expr
