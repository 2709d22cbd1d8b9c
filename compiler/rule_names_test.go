package compiler

import "github.com/symgrad/symgrad/compiler/rewrite"

// The default rules the tests pick, by name (rewrite.Select).
const (
	ruleFoldConstants = "f(constants) -> constant"
	ruleStaticSize    = "sizeof(x, axis) -> constant"
	ruleMulOne        = "x * 1 -> x"
	ruleAddZero       = "x + 0 -> x"
	ruleNegNeg        = "--x -> x"
	ruleTransposes    = "transpose(transpose(x, p), q) -> transpose(x, p∘q)"
	ruleReshapeChain  = "reshape(reshape(x)) -> reshape(x)"
	ruleReshapeNoop   = "reshape(x, shape(x)) -> x"
	ruleSoftmaxG      = "softmax_G(x) -> softmax(x)"
	ruleLogSoftmax    = "log(softmax(x)) -> logsoftmax(x)"
	ruleLogExp        = "log(exp(x)) -> x"
	ruleLogSigmoid    = "log(sigmoid(x)) -> -softplus(-x)"
	ruleLog1p         = "log(1 + x) -> log1p(x)"
	ruleLog1pNeg      = "log(1 - x) -> log1p(-x)"
	ruleNLL           = "nll(logsoftmax(x), c) -> crossentropy(x, c)"
	ruleBCE           = "bce(sigmoid(x), t) -> bcewithlogits(x, t)"
	ruleGemmTransB    = "a @ transpose(b) -> gemm(a, b, transB)"
	ruleGemmTransA    = "transpose(a) @ b -> gemm(a, b, transA)"
	ruleBiasRows      = "x ∘ repeat₀(reshape(b, 1×N)) -> x ∘ broadcastrows(b)"
	ruleLinear        = "gemm(x, W, transB) + broadcastrows(b) -> linear(x, W, b)"
)

// mustRules is rewrite.Select for the tests' tables: it panics on a name
// no default rule has.
func mustRules(names ...string) []*Rule {
	rs, err := rewrite.Select(names...)
	if err != nil {
		panic(err)
	}
	return rs
}
