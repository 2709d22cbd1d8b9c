package ops

import (
	"fmt"
	"hash"
	"math/rand/v2"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
)

// Dropout zeroes each element of x with probability p and scales the kept
// ones by 1/(1 - p) in training mode (inverted dropout, as PyTorch); in
// evaluation mode it is the identity.
//
// The mask comes from a PCG generator seeded by seed and by the node's
// position in the graph, so the same graph built with the same seed draws
// the same masks, two dropout nodes never share a mask, and each training
// run draws a new mask. FreezeMasks keeps the current mask (for gradient
// checks).
//
// Gradient: g ⊙ m / (1 - p), m the mask of the same run (g in evaluation
// mode).
//
// Gorgonia's Dropout scales the gradient by 1/p, seeds from the wall clock,
// reads the mask back from output != 0, and hashes every dropout alike
// (TestDropoutScalesBy1MinusP, TestGorgoniaDropoutGradientIsWrong).
func Dropout(x *G.Node, p float64, seed uint64) (out *G.Node, err error) {
	defer panics.Recover(&err, "dropout of %s", x.Name())
	if err := checkFloatNode("dropout", x); err != nil {
		return nil, err
	}
	if !(p >= 0 && p <= 1) {
		return nil, errors.Errorf("dropout: probability %g is not in [0, 1]", p)
	}
	if x.Graph() == nil {
		return nil, errors.Errorf("dropout: %s belongs to no graph", x.Name())
	}
	stream := uint64(len(x.Graph().AllNodes()))
	pcg := rand.NewPCG(seed, stream)
	st := &maskState{p: p, seed: seed, stream: stream, training: true,
		pcg: pcg, rng: rand.New(pcg), size: x.Shape().TotalSize()}
	out, err = Apply(&dropoutOp{maskBase{st: st, shape: x.Shape().Clone()}}, x)
	return out, errors.Wrapf(err, "dropout of %s %v", x.Name(), x.Shape())
}

func init() {
	Register(&Spec{
		Name: "dropout", Family: "regularization",
		Forward:  "dropout(x, p, seed) = x ⊙ m / (1 - p), m_i ~ Bernoulli(1 - p) (training); x (evaluation)",
		Gradient: "g ⊙ m / (1 - p) with the same mask",
		Notes:    "symgrad op: seeded PCG mask per node, new each training run, frozen for gradient checks (FreezeMasks). Gorgonia's Dropout scales the gradient by 1/p and seeds from the clock.",
		Build: func(n []*G.Node, q []float64) (*G.Node, error) {
			p := oneFloat(q, 0.5)
			seed := uint64(0)
			if len(q) > 1 {
				s, err := intParams("dropout", q[1:2])
				if err != nil || s[0] < 0 {
					return nil, errors.Errorf("dropout: seed %v must be a non-negative integer", q[1])
				}
				seed = uint64(s[0])
			}
			return Dropout(n[0], p, seed)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 2,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{4, 5}, Domain: Real}}, Params: []float64{0.3, 7}},
		Dtypes:  floats, TwiceDifferentiable: true,
	})
}

// MaskFreezer is an op whose random mask can be frozen: while frozen, it
// keeps the mask it last drew (drawing one on its first run).
type MaskFreezer interface {
	FreezeMask(frozen bool)
}

// FreezeMasks freezes (or unfreezes) the masks of every MaskFreezer op in g
// and returns how many it found. Gradient checks freeze masks so that the
// loss is a deterministic function of the inputs.
func FreezeMasks(g *G.ExprGraph, frozen bool) int {
	n := 0
	for _, node := range g.AllNodes() {
		if f, ok := node.Op().(MaskFreezer); ok {
			f.FreezeMask(frozen)
			n++
		}
	}
	return n
}

// DropoutMask returns a copy of the mask n (a Dropout node) used in its
// last training run: 0 for dropped elements, 1/(1-p) for kept ones; nil
// before the first run.
func DropoutMask(n *G.Node) ([]float64, error) {
	op, ok := OpOf(n).(*dropoutOp)
	if !ok {
		return nil, errors.Errorf("%s is not a dropout node (op %v)", n.Name(), n.Op())
	}
	return op.st.Mask(), nil
}

// RNGStater is an op drawing from a random stream whose position can be
// saved and restored, so that a training run resumed from a checkpoint
// draws the masks the uninterrupted run would have drawn
// (train.Trainer.Resume). RNGKey names the stream: the same for the same
// op in every build of the same graph with the same seed.
type RNGStater interface {
	RNGKey() string
	RNGState() ([]byte, error)
	SetRNGState(state []byte) error
}

var _ RNGStater = maskBase{}

// RNGKey is "dropout.<seed>.<stream>".
func (op maskBase) RNGKey() string { return fmt.Sprintf("dropout.%d.%d", op.st.seed, op.st.stream) }

// RNGState is the mask generator's state (PCG's MarshalBinary).
func (op maskBase) RNGState() ([]byte, error) { return op.st.pcg.MarshalBinary() }

// SetRNGState restores a state from RNGState.
func (op maskBase) SetRNGState(state []byte) error {
	return errors.Wrapf(op.st.pcg.UnmarshalBinary(state), "dropout stream %s", op.RNGKey())
}

// maskState is shared by a dropout op and its gradient op.
type maskState struct {
	p            float64
	seed, stream uint64
	pcg          *rand.PCG // rng's source, whose state RNGState saves
	rng          *rand.Rand
	size         int
	training     bool
	frozen       bool
	mask         []float64 // 0 or 1/(1-p); nil until the first training run
}

// next returns the mask of this run: a new one unless frozen.
func (st *maskState) next() []float64 {
	if st.mask != nil && st.frozen {
		return st.mask
	}
	if st.mask == nil {
		st.mask = make([]float64, st.size)
	}
	keep := 0.0
	if st.p < 1 {
		keep = 1 / (1 - st.p)
	}
	for i := range st.mask {
		if st.rng.Float64() < st.p {
			st.mask[i] = 0
		} else {
			st.mask[i] = keep
		}
	}
	return st.mask
}

// Mask returns a copy of the mask of the last training run (nil before the
// first): 0 for dropped elements, 1/(1-p) for kept ones.
func (st *maskState) Mask() []float64 { return append([]float64(nil), st.mask...) }

// maskBase holds the methods shared by the dropout op and its gradient.
type maskBase struct {
	unaryBase
	st    *maskState
	shape tensor.Shape
}

func (op maskBase) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (op maskBase) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }

// SetTraining switches between training (masking) and evaluation
// (identity); it is G.TrainModeOp, called by the compiler's machines.
func (op maskBase) SetTraining(training bool) error { op.st.training = training; return nil }

// FreezeMask keeps the current mask while frozen.
func (op maskBase) FreezeMask(frozen bool) { op.st.frozen = frozen }

// apply multiplies v by mask elementwise, or copies it when mask is nil.
func (op maskBase) apply(v G.Value, mask []float64) (G.Value, error) {
	x, err := float64sOf(v)
	if err != nil {
		return nil, err
	}
	res := append([]float64(nil), x...)
	for i := range mask {
		res[i] *= mask[i]
	}
	return valueOf(res, op.shape, dtypeOf(v))
}

func (op maskBase) hashKey() string {
	return fmt.Sprintf("p=%v,seed=%d,stream=%d,%v", op.st.p, op.st.seed, op.st.stream, op.shape)
}

// dropoutOp is the forward dropout.
type dropoutOp struct{ maskBase }

var (
	_ G.TrainModeOp = (*dropoutOp)(nil)
	_ G.SDOp        = (*dropoutOp)(nil)
	_ MaskFreezer   = (*dropoutOp)(nil)
)

func (op *dropoutOp) Do(vs ...G.Value) (G.Value, error) {
	if !op.st.training || op.st.p == 0 {
		return op.apply(vs[0], nil)
	}
	return op.apply(vs[0], op.st.next())
}
func (op *dropoutOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.dropout(%s)", op.hashKey()) }
func (op *dropoutOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindDropout is the kind of Dropout.
	KindDropout = NewKind("dropout")
	// KindDropoutGrad is the kind of Dropout's gradient op.
	KindDropoutGrad = NewKind("dropoutgrad")
)

// Identity is KindDropout.
func (op *dropoutOp) Identity() Identity { return Identity{Kind: KindDropout} }

func (op *dropoutOp) String() string { return fmt.Sprintf("dropout(p=%v)", op.st.p) }

// SymDiff is g ⊙ m / (1 - p), through the gradient op sharing the mask.
func (op *dropoutOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	gx, err := Apply(&dropoutGradOp{op.maskBase}, g)
	return G.Nodes{gx}, err
}

// dropoutGradOp multiplies by the mask of the current run (identity in
// evaluation mode). It is linear and diagonal: its own gradient.
type dropoutGradOp struct{ maskBase }

func (op *dropoutGradOp) Do(vs ...G.Value) (G.Value, error) {
	if !op.st.training || op.st.p == 0 {
		return op.apply(vs[0], nil)
	}
	if op.st.mask == nil {
		return nil, errors.New("dropout gradient: no mask drawn (the forward op did not run)")
	}
	return op.apply(vs[0], op.st.mask)
}
func (op *dropoutGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "symgrad.dropoutgrad(%s)", op.hashKey())
}
func (op *dropoutGradOp) Hashcode() uint32 { return hashOf(op) }

// Identity is KindDropoutGrad.
func (op *dropoutGradOp) Identity() Identity { return Identity{Kind: KindDropoutGrad} }

func (op *dropoutGradOp) String() string { return fmt.Sprintf("dropoutgrad(p=%v)", op.st.p) }
func (op *dropoutGradOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	gx, err := Apply(&dropoutGradOp{op.maskBase}, g)
	return G.Nodes{gx}, err
}
