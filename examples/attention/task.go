package main

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
)

// The task: reverse a sequence of digits. Position i of the output is the
// digit at position L-1-i of the input, so every output position needs
// the input at one other, far-away position: exactly what attention does
// (a position-wise network, seeing one token at a time, can do no better
// than chance).
const (
	digits = 10 // the vocabulary 0..9
	width  = 32 // d_model
	heads  = 4
	ff     = 64 // dim_feedforward
)

// sequences draws n digit sequences of length l from rng.
func sequences(rng *rand.Rand, n, l int) [][]int {
	out := make([][]int, n)
	for i := range out {
		out[i] = make([]int, l)
		for j := range out[i] {
			out[i][j] = rng.IntN(digits)
		}
	}
	return out
}

// encode is the batch of seqs: x [B, L, digits+L] holds the one-hot digit
// and the one-hot position of every token (so that the input projection,
// a Linear without bias, adds a learned token embedding and a learned
// position embedding), y [B·L] int64 the reversed digits.
func encode(seqs [][]int) (x, y *tensor.Dense) {
	b, l := len(seqs), len(seqs[0])
	f := digits + l
	xs := make([]float64, b*l*f)
	ys := make([]int64, b*l)
	for i, s := range seqs {
		for j, d := range s {
			xs[(i*l+j)*f+d] = 1
			xs[(i*l+j)*f+digits+j] = 1
			ys[i*l+j] = int64(s[l-1-j])
		}
	}
	return tensor.New(tensor.WithShape(b, l, f), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(b*l), tensor.WithBacking(ys))
}

// net is the model: embed = Linear(digits+L, 32, bias=False), one
// TransformerEncoderLayer(32, 4 heads, 64, pre-norm, GELU), out =
// Linear(32, 10) at every position; CrossEntropy over the B·L positions.
type net struct {
	g       *G.ExprGraph
	x, y    *G.Node
	logits  *G.Node // [B·L, digits]
	weights *G.Node // the attention weights, [B, L, L]
	loss    *G.Node
	params  []*G.Node
}

// Without attention (the control), the encoder layer is replaced by a
// position-wise feed-forward block of the same widths, Linear(32, 64),
// GELU, Linear(64, 32): every position then sees its own token only.
func newNet(batch, l int, seed uint64, attention bool) (*net, error) {
	g := G.NewGraph()
	n := &net{g: g}
	rng := models.NewRNG(seed)
	var err error
	if n.x, err = compiler.NewInput(g, "x", tensor.Float64, batch, l, digits+l); err != nil {
		return nil, err
	}
	if n.y, err = compiler.NewInput(g, "y", tensor.Int64, batch*l); err != nil {
		return nil, err
	}
	embed, err := models.NewLinear(g, "embed", digits+l, width, tensor.Float64, rng, models.WithoutBias())
	if err != nil {
		return nil, err
	}
	var enc *models.TransformerEncoderLayer
	var mix *models.Sequential
	if attention {
		if enc, err = models.NewTransformerEncoderLayer(g, "enc", models.TransformerConfig{DModel: width, NHead: heads,
			DimFeedforward: ff, NormFirst: true, Activation: "gelu", MaxLen: l}, tensor.Float64, rng); err != nil {
			return nil, err
		}
		n.params = append(n.params, enc.Params()...)
	} else if mix, err = positionWise(g, rng); err != nil {
		return nil, err
	}
	out, err := models.NewLinear(g, "out", width, digits, tensor.Float64, rng)
	if err != nil {
		return nil, err
	}
	if mix != nil {
		n.params = append(n.params, mix.Params()...)
	}
	n.params = append(append([]*G.Node{embed.Weight}, n.params...), out.Params()...)
	flat, err := ops.Reshape(n.x, batch*l, digits+l)
	if err != nil {
		return nil, err
	}
	h, err := embed.Forward(flat)
	if err == nil && attention {
		h, err = ops.Reshape(h, batch, l, width)
		if err == nil {
			h, n.weights, err = enc.ForwardWithWeights(h, models.AttentionMasks{})
		}
		if err == nil {
			h, err = ops.Reshape(h, batch*l, width)
		}
	} else if err == nil {
		h, err = mix.Forward(h)
	}
	if err == nil {
		n.logits, err = out.Forward(h)
	}
	if err == nil {
		n.loss, err = ops.CrossEntropy(n.logits, n.y)
	}
	if err != nil {
		return nil, fmt.Errorf("building the network: %w", err)
	}
	return n, nil
}

// positionWise is the control's Linear(32, 64), GELU, Linear(64, 32).
func positionWise(g *G.ExprGraph, rng *rand.Rand) (*models.Sequential, error) {
	a, err := models.NewLinear(g, "mix1", width, ff, tensor.Float64, rng)
	if err != nil {
		return nil, err
	}
	b, err := models.NewLinear(g, "mix2", ff, width, tensor.Float64, rng)
	return models.NewSequential(a, &models.Func{Name: "gelu", Fn: ops.GELU}, b), err
}

// compile returns the training program, with the logits and (with
// attention) the attention weights as outputs.
func (n *net) compile() (*compiler.Program, error) {
	outs := []*G.Node{n.logits}
	if n.weights != nil {
		outs = append(outs, n.weights)
	}
	return compiler.Compile(n.loss, n.params, compiler.WithOutputs(outs...))
}

// run binds a batch and runs p in training (one gradient) or inference.
func run(p *compiler.Program, seqs [][]int, training bool) error {
	x, y := encode(seqs)
	if err := notebook.BindBatch(p, x, y); err != nil {
		return err
	}
	if training {
		return p.RunTrain()
	}
	return p.RunInference()
}

// predictions are the argmax digits of the last run's logits, [B·L].
func predictions(p *compiler.Program) []int {
	logits := p.Output(0).Data().([]float64)
	out := make([]int, len(logits)/digits)
	for i := range out {
		row := logits[i*digits : (i+1)*digits]
		for d, v := range row {
			if v > row[out[i]] {
				out[i] = d
			}
		}
	}
	return out
}

// accuracy runs p on seqs in inference mode, batch by batch (len(seqs) a
// multiple of batch), and returns the fraction of digits right and of
// sequences entirely right.
func accuracy(p *compiler.Program, seqs [][]int, batch int) (perDigit, perSeq float64, err error) {
	l := len(seqs[0])
	var digitsRight, seqsRight int
	for i := 0; i+batch <= len(seqs); i += batch {
		if err := run(p, seqs[i:i+batch], false); err != nil {
			return 0, 0, err
		}
		pred := predictions(p)
		for k, s := range seqs[i : i+batch] {
			all := true
			for j := range s {
				ok := pred[k*l+j] == s[l-1-j]
				if ok {
					digitsRight++
				}
				all = all && ok
			}
			if all {
				seqsRight++
			}
		}
	}
	n := len(seqs) / batch * batch
	return float64(digitsRight) / float64(n*l), float64(seqsRight) / float64(n), nil
}
