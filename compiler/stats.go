package compiler

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"
)

// Stats summarises a compiled program.
type Stats struct {
	ForwardNodes  int   // nodes of the forward graph (leaves included)
	GradientNodes int   // nodes added by symbolic differentiation
	ParamTensors  int   // parameter tensors
	Params        int   // scalar parameters
	FLOPs         int64 // estimated floating-point operations per training run
	ValueBytes    int64 // bytes of all node values in the training program
}

func (s Stats) String() string {
	return fmt.Sprintf("%d forward nodes, %d gradient nodes, %d parameters in %d tensors, ~%.3g FLOPs per step, %.1f KiB of values",
		s.ForwardNodes, s.GradientNodes, s.Params, s.ParamTensors, float64(s.FLOPs), float64(s.ValueBytes)/1024)
}

// Stats counts the program's nodes and parameters and estimates its cost.
//
// FLOPs are estimated per node: a matrix product of output size m*n with
// inner size k costs 2mnk (k recovered as sqrt(|a||b|/|out|), which holds
// for matrix-matrix, matrix-vector and dot products); any other op costs one
// operation per element of its largest operand.
func (p *Program) Stats() Stats {
	s := Stats{ParamTensors: len(p.params)}
	for _, n := range p.params {
		s.Params += n.Shape().TotalSize()
	}
	for _, n := range p.executionOrder() {
		if p.gradNodes[n] {
			s.GradientNodes++
		} else {
			s.ForwardNodes++
		}
		s.ValueBytes += int64(size(n) * int(n.Dtype().Size()))
		if n.Op() != nil && !n.IsVar() && !IsConstant(n) {
			s.FLOPs += nodeFLOPs(n)
		}
	}
	return s
}

func size(n *G.Node) int {
	if n.IsScalar() {
		return 1
	}
	return n.Shape().TotalSize()
}

func nodeFLOPs(n *G.Node) int64 {
	in := children(n)
	out := size(n)
	if k := ops.KindOf(n); (k == ops.KindMatMul || k == ops.KindMatVec || k == ops.KindBatchedMatMul) && len(in) == 2 {
		k := math.Sqrt(float64(size(in[0])) * float64(size(in[1])) / float64(out))
		return int64(2 * float64(out) * math.Round(k))
	}
	largest := out
	for _, c := range in {
		largest = max(largest, size(c))
	}
	return int64(largest)
}
