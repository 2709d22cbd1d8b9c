package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
)

// TimeStep is x[:, t, :] of a batch-first sequence x [B, T, F], a [B, F]
// matrix copied row by row into a preallocated buffer (no time-major
// transpose of the whole sequence, no slice views to materialize).
//
// Gradient: dx = G placed at time step t of a zero [B, T, F] tensor
// (UnTimeStep, whose gradient is TimeStep again).
func TimeStep(x *G.Node, t int) (out *G.Node, err error) {
	defer panics.Recover(&err, "timestep")
	if err := checkFloatNode("timestep", x); err != nil {
		return nil, err
	}
	s := x.Shape()
	if len(s) != 3 || t < 0 || t >= s[1] {
		return nil, errors.Errorf("timestep: %s has shape %v, want [B, T, F] with 0 <= t=%d < T", x.Name(), s, t)
	}
	out, err = Apply(&timeStepOp{t: t, steps: s[1]}, x)
	return out, errors.Wrapf(err, "timestep %d of %s %v", t, x.Name(), s)
}

// timeStepOp is TimeStep ([B, T, F] -> [B, F]) or, when scatter, its
// adjoint UnTimeStep ([B, F] -> [B, T, F], zero except at step t).
type timeStepOp struct {
	unaryBase
	t, steps int
	scatter  bool
}

var (
	_ G.SDOp            = (*timeStepOp)(nil)
	_ G.UsePreallocDoer = (*timeStepOp)(nil)
)

func (op *timeStepOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return fnType(op.scatter, G.TensorType{Dims: 3, Of: a}, G.TensorType{Dims: 2, Of: a})
}
func (op *timeStepOp) outShape(s tensor.Shape) (tensor.Shape, error) {
	switch {
	case !op.scatter && len(s) == 3 && s[1] == op.steps:
		return tensor.Shape{s[0], s[2]}, nil
	case op.scatter && len(s) == 2:
		return tensor.Shape{s[0], op.steps, s[1]}, nil
	}
	return nil, errors.Errorf("%v: input shape %v does not fit", op, s)
}
func (op *timeStepOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return inferUnary(op, in)
}
func (op *timeStepOp) Do(vs ...G.Value) (G.Value, error) { return doUnary(op, vs) }
func (op *timeStepOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("%v: expected 1 input, got %d", op, len(vs))
	}
	x, y, _, err := matrices("timestep", vs[0], prealloc)
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	seq, mat := x, y
	if op.scatter {
		seq, mat = y, x
	}
	ss, ms := seq.Shape(), mat.Shape()
	if len(ss) != 3 || len(ms) != 2 || ss[0] != ms[0] || ss[2] != ms[1] || ss[1] != op.steps {
		return nil, errors.Errorf("%v: shapes %v and %v do not fit", op, x.Shape(), y.Shape())
	}
	if x.Dtype() == tensor.Float64 {
		timeStepKernel(op, ss[2], seq.Float64s(), mat.Float64s())
	} else {
		timeStepKernel(op, ss[2], seq.Float32s(), mat.Float32s())
	}
	return prealloc, nil
}

// timeStepKernel copies step t of seq [B, T, F] into mat [B, F], or (scatter)
// mat into step t of a zeroed seq.
func timeStepKernel[T float32 | float64](op *timeStepOp, f int, seq, mat []T) {
	if op.scatter {
		clear(seq)
	}
	for b := 0; b*f < len(mat); b++ {
		at := (b*op.steps + op.t) * f
		if op.scatter {
			copy(seq[at:at+f], mat[b*f:(b+1)*f])
		} else {
			copy(mat[b*f:(b+1)*f], seq[at:at+f])
		}
	}
}

func (op *timeStepOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *timeStepOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindTimeStep is the kind of TimeStep.
	KindTimeStep = NewKind("timestep")
	// KindUnTimeStep is the kind of TimeStep's adjoint (its gradient).
	KindUnTimeStep = NewKind("untimestep")
)

// Identity is KindUnTimeStep or KindTimeStep.
func (op *timeStepOp) Identity() Identity {
	return Identity{Kind: choose(op.scatter, KindUnTimeStep, KindTimeStep)}
}

func (op *timeStepOp) String() string {
	return fmt.Sprintf("%s(t=%d of %d)", choose(op.scatter, "untimestep", "timestep"), op.t, op.steps)
}

// SymDiff is the adjoint op applied to G.
func (op *timeStepOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	return applyAdjoint(op, &timeStepOp{t: op.t, steps: op.steps, scatter: !op.scatter}, g)
}

func init() {
	Register(&Spec{Name: "timestep", Family: "fused",
		Reference: refTimeStep, ReferenceOf: "Gorgonia's Slice of step t on axis 1", Forward: "timestep(x, t) = x[:, t, :] (x [B,T,F] -> [B,F])",
		Gradient: "dx = G at step t of a zero [B,T,F] tensor (untimestep, whose gradient is timestep)",
		Notes:    "symgrad op: an RNN's per-step input read from the batch-first sequence, copied into a preallocated buffer (no transposed copy, no slice views).",
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			t := 1
			if len(p) > 0 {
				t = int(p[0])
			}
			return TimeStep(n[0], t)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 1,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{2, 3, 4}, Domain: Real}}, Params: []float64{1}},
		Dtypes:  floats, TwiceDifferentiable: true})
}

// refTimeStep is timestep as Gorgonia's Slice of step t on axis 1.
func refTimeStep(n []*G.Node, p []float64) (*G.Node, error) {
	t := 1
	if len(p) > 0 {
		t = int(p[0])
	}
	return G.Slice(n[0], nil, G.S(t))
}
