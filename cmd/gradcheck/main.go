// Command gradcheck checks symgrad's symbolic gradients against numeric
// ones: every registered op, every zoo model, or an expression.
//
//	gradcheck [all]                      every op and every model
//	gradcheck list                       list ops and models
//	gradcheck op NAME... | op all        check ops from the registry
//	gradcheck model NAME... | model all  check zoo models
//	gradcheck expr 'EXPR' --var NAME=SHAPE...
//
// Flags (anywhere on the line): --eps --atol --rtol --seed
// --dtype float64|float32 --mode full|fast --order 1|2 --format table|json
// --show-grad --passes; for expr --input I.safetensors --dump OUT.safetensors
// --reference R.safetensors. Exit status 0: every check passes (kinks and
// declared not-twice-differentiable ops count as passing); 1: some check
// fails; 2: bad usage or input.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
