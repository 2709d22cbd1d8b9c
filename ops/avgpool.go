package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// avgPoolOp is average pooling with count_include_pad (a linear map A);
// with adjoint=true it is Aᵀ, spreading g / (kH·kW) over each window. A
// and Aᵀ are each other's gradient.
//
// Gorgonia's AveragePool2D gives a wrong gradient with padding and stride
// (TestAvgPool2DGradientWithPadding), so symgrad has its own.
type avgPoolOp struct {
	unaryBase
	in, out             tensor.Shape // x [N,C,H,W] and pooled [N,C,oH,oW]
	kernel, stride, pad [2]int
	adjoint             bool
}

func newAvgPool(xs tensor.Shape, kernel, stride, pad [2]int) *avgPoolOp {
	oh := (xs[2]+2*pad[0]-kernel[0])/stride[0] + 1
	ow := (xs[3]+2*pad[1]-kernel[1])/stride[1] + 1
	return &avgPoolOp{in: xs.Clone(), out: tensor.Shape{xs[0], xs[1], oh, ow}, kernel: kernel, stride: stride, pad: pad}
}

func (op *avgPoolOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := G.TensorType{Dims: 4, Of: a}
	return hm.NewFnType(t, t)
}
func (op *avgPoolOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	if op.adjoint {
		return op.in.Clone(), nil
	}
	return op.out.Clone(), nil
}
func (op *avgPoolOp) Do(vs ...G.Value) (G.Value, error) {
	src, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	x, y := op.in, op.out
	res := make([]float64, x.TotalSize())
	if !op.adjoint {
		res = make([]float64, y.TotalSize())
	}
	scale := 1 / float64(op.kernel[0]*op.kernel[1])
	for nc := 0; nc < x[0]*x[1]; nc++ {
		for i := 0; i < y[2]; i++ {
			for j := 0; j < y[3]; j++ {
				yi := (nc*y[2]+i)*y[3] + j
				for u := 0; u < op.kernel[0]; u++ {
					r := i*op.stride[0] + u - op.pad[0]
					if r < 0 || r >= x[2] {
						continue
					}
					for v := 0; v < op.kernel[1]; v++ {
						c := j*op.stride[1] + v - op.pad[1]
						if c < 0 || c >= x[3] {
							continue
						}
						xi := (nc*x[2]+r)*x[3] + c
						if op.adjoint {
							res[xi] += src[yi] * scale
						} else {
							res[yi] += src[xi] * scale
						}
					}
				}
			}
		}
	}
	shape := op.out
	if op.adjoint {
		shape = op.in
	}
	return valueOf(res, shape, dtypeOf(vs[0]))
}
func (op *avgPoolOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *avgPoolOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindAvgPool2d is the kind of the average pool and its adjoint.
	KindAvgPool2d = NewKind("avgpool2d")
)

// Identity is KindAvgPool2d.
func (op *avgPoolOp) Identity() Identity { return Identity{Kind: KindAvgPool2d} }

func (op *avgPoolOp) String() string {
	return fmt.Sprintf("avgpool2d(in=%v,k=%v,s=%v,p=%v,adjoint=%v)", op.in, op.kernel, op.stride, op.pad, op.adjoint)
}

// SymDiff is the adjoint map applied to g.
func (op *avgPoolOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	adj := *op
	adj.adjoint = !op.adjoint
	gx, err := Apply(&adj, g)
	return G.Nodes{gx}, err
}
