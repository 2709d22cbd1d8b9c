package models

import (
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// The layers that hold a weight applied linearly, grouped as Flax's
// linear.py groups Dense, Conv and Embed: Linear (a matrix product),
// Conv2D and Conv1D (convolutions; they share PyTorch's Linear/Conv
// initialisation, layerParams.weightAndBias) and Embedding (a row lookup,
// the product with one-hot token ids).

// Linear is PyTorch's nn.Linear: y = x W^T + b, with W stored [out, in] as
// PyTorch stores it and b of shape [out]. Built WithoutBias it is
// nn.Linear(in, out, bias=False): y = x W^T, Bias nil, no "<name>.bias" in
// the state dict.
type Linear struct {
	Name    string
	In, Out int
	Weight  *G.Node // <name>.weight, [Out, In]
	Bias    *G.Node // <name>.bias, [Out]; nil without a bias
}

// LinearOption changes how NewLinear builds a layer.
type LinearOption func(*linearConfig)

type linearConfig struct{ noBias bool }

// WithoutBias builds the layer without a bias, PyTorch's bias=False.
func WithoutBias() LinearOption { return func(c *linearConfig) { c.noBias = true } }

// NewLinear adds a Linear layer's parameters to g, initialised as PyTorch
// does (U(-1/sqrt(in), 1/sqrt(in)) for weight and bias) from rng.
func NewLinear(g *G.ExprGraph, name string, in, out int, dt tensor.Dtype, rng *rand.Rand, opts ...LinearOption) (l *Linear, err error) {
	if in <= 0 || out <= 0 {
		return nil, errors.Errorf("linear %q: sizes must be positive, got in=%d out=%d", name, in, out)
	}
	var cfg linearConfig
	for _, o := range opts {
		o(&cfg)
	}
	l = &Linear{Name: name, In: in, Out: out}
	p := newLayerParams(g, "linear", name, dt, rng)
	if l.Weight, l.Bias = p.weightAndBias(!cfg.noBias, out, in); p.err != nil {
		return nil, p.err
	}
	return l, nil
}

// Forward returns x W^T + b for x of shape [batch, In], as one fused op
// (ops.Linear: a BLAS gemm with W's transpose flag, no transposed copy);
// x W^T (ops.Gemm) without a bias.
func (l *Linear) Forward(x *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "linear %q", l.Name)
	if x == nil {
		return nil, errors.Errorf("linear %q: nil input node", l.Name)
	}
	if x.Dims() != 2 || x.Shape()[1] != l.In {
		return nil, errors.Errorf("linear %q: input %q has shape %v, want [batch, %d]", l.Name, x.Name(), x.Shape(), l.In)
	}
	if l.Bias == nil {
		y, err = ops.Gemm(x, l.Weight, false, true)
	} else {
		y, err = ops.Linear(x, l.Weight, l.Bias)
	}
	return y, errors.Wrapf(err, "linear %q", l.Name)
}

// Params returns the weight and the bias (if any), in state_dict order.
func (l *Linear) Params() []*G.Node {
	if l.Bias == nil {
		return []*G.Node{l.Weight}
	}
	return []*G.Node{l.Weight, l.Bias}
}

// Buffers returns nil: Linear has no buffers.
func (l *Linear) Buffers() []*Buffer { return nil }

// Conv2D is PyTorch's nn.Conv2d (groups 1, dilation 1): for x [B, C, H, W],
// y[b,o,i,j] = bias[o] + sum_{c,p,q} weight[o,c,p,q] *
// xpad[b, c, i*sH+p, j*sW+q], with output size (H + 2 padH - kH)/sH + 1.
type Conv2D struct {
	Name         string
	In, Out      int    // channels
	Kernel       [2]int // kH, kW
	Stride       [2]int
	Padding      [2]int
	Weight, Bias *G.Node // <name>.weight [Out, In, kH, kW], <name>.bias [Out]
}

// NewConv2D adds a Conv2D layer's parameters to g, initialised as PyTorch
// does: kaiming_uniform(a=sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in))
// with fan_in = In*kH*kW, for weight and bias alike. A zero stride means 1.
func NewConv2D(g *G.ExprGraph, name string, in, out int, kernel, stride, padding [2]int, dt tensor.Dtype, rng *rand.Rand) (c *Conv2D, err error) {
	if stride == [2]int{} {
		stride = [2]int{1, 1}
	}
	if in <= 0 || out <= 0 || kernel[0] <= 0 || kernel[1] <= 0 || stride[0] <= 0 || stride[1] <= 0 || padding[0] < 0 || padding[1] < 0 {
		return nil, errors.Errorf("conv2d %q: bad sizes in=%d out=%d kernel=%v stride=%v padding=%v", name, in, out, kernel, stride, padding)
	}
	c = &Conv2D{Name: name, In: in, Out: out, Kernel: kernel, Stride: stride, Padding: padding}
	p := newLayerParams(g, "conv2d", name, dt, rng)
	if c.Weight, c.Bias = p.weightAndBias(true, out, in, kernel[0], kernel[1]); p.err != nil {
		return nil, p.err
	}
	return c, nil
}

// Forward convolves x of shape [B, In, H, W].
func (c *Conv2D) Forward(x *G.Node) (y *G.Node, err error) {
	return convolve("conv2d", c.Name, x, c.In, 4, "H, W", func() (*G.Node, error) {
		return ops.FusedConv2D(x, c.Weight, c.Bias, c.Stride, c.Padding)
	})
}

// Params returns the weight and the bias, in state_dict order.
func (c *Conv2D) Params() []*G.Node { return []*G.Node{c.Weight, c.Bias} }

// Buffers returns nil: Conv2D has no buffers.
func (c *Conv2D) Buffers() []*Buffer { return nil }

// Conv1D is PyTorch's nn.Conv1d (one group): for x [B, C, L],
// y[b,o,j] = bias[o] + Σ_{c,k} weight[o,c,k] · xpad[b, c, j·s + k·d], with
// output length (L + 2p - d(K-1) - 1)/s + 1 (ops.Conv1D).
type Conv1D struct {
	Name                      string
	In, Out, Kernel           int
	Stride, Padding, Dilation int
	Weight, Bias              *G.Node // <name>.weight [Out, In, Kernel], <name>.bias [Out]
}

// Conv1DConfig holds a Conv1D's stride, padding and dilation; the zero
// value is PyTorch's default (stride 1, padding 0, dilation 1).
type Conv1DConfig struct {
	Stride, Padding, Dilation int // 0 stride or dilation means 1
}

// NewConv1D adds a Conv1D layer's parameters to g, initialised as PyTorch
// does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = In*Kernel, for
// weight and bias alike.
func NewConv1D(g *G.ExprGraph, name string, in, out, kernel int, cfg Conv1DConfig, dt tensor.Dtype, rng *rand.Rand) (c *Conv1D, err error) {
	if cfg.Stride == 0 {
		cfg.Stride = 1
	}
	if cfg.Dilation == 0 {
		cfg.Dilation = 1
	}
	if in <= 0 || out <= 0 || kernel <= 0 || cfg.Stride < 0 || cfg.Dilation < 0 || cfg.Padding < 0 {
		return nil, errors.Errorf("conv1d %q: bad sizes in=%d out=%d kernel=%d stride=%d padding=%d dilation=%d",
			name, in, out, kernel, cfg.Stride, cfg.Padding, cfg.Dilation)
	}
	c = &Conv1D{Name: name, In: in, Out: out, Kernel: kernel, Stride: cfg.Stride, Padding: cfg.Padding, Dilation: cfg.Dilation}
	p := newLayerParams(g, "conv1d", name, dt, rng)
	if c.Weight, c.Bias = p.weightAndBias(true, out, in, kernel); p.err != nil {
		return nil, p.err
	}
	return c, nil
}

// Forward convolves x of shape [B, In, L].
func (c *Conv1D) Forward(x *G.Node) (y *G.Node, err error) {
	return convolve("conv1d", c.Name, x, c.In, 3, "length", func() (*G.Node, error) {
		return ops.Conv1D(x, c.Weight, c.Bias, c.Stride, c.Padding, c.Dilation)
	})
}

// Params returns the weight and the bias, in state_dict order.
func (c *Conv1D) Params() []*G.Node { return []*G.Node{c.Weight, c.Bias} }

// Buffers returns nil: Conv1D has no buffers.
func (c *Conv1D) Buffers() []*Buffer { return nil }

// convolve is the forward rule of the kind ("conv2d") convolution named
// name: it checks that x is [batch, in, spatial...] of the given rank (the
// spatial axes named by spatial, "H, W"), then runs conv, recovering its
// panics and wrapping its error with the layer and x's shape.
func convolve(kind, name string, x *G.Node, in, rank int, spatial string, conv func() (*G.Node, error)) (y *G.Node, err error) {
	defer panics.Recover(&err, "%s %q", kind, name)
	if x.Dims() != rank || x.Shape()[1] != in {
		return nil, errors.Errorf("%s %q: input %q has shape %v, want [batch, %d, %s]", kind, name, x.Name(), x.Shape(), in, spatial)
	}
	y, err = conv()
	return y, errors.Wrapf(err, "%s %q on input of shape %v", kind, name, x.Shape())
}

// Embedding is PyTorch's nn.Embedding(num, dim, padding_idx): y[..., :] =
// weight[idx[...], :] for int64 token ids idx, weight [num, dim]
// initialised N(0, 1) with the padding row zeroed.
//
// It is ops.Embedding, a row copy whose gradient ops.EmbeddingScatter adds
// dy into the looked-up rows; the padding row (when Padding >= 0) gets
// none, as in PyTorch. A token id outside [0, num) is an error naming the
// id, its position and num.
type Embedding struct {
	Name     string
	Num, Dim int
	Padding  int     // PyTorch's padding_idx; ops.NoPadding (-1) for none
	Weight   *G.Node // <name>.weight, [Num, Dim]
}

// NewEmbedding adds an Embedding's weight to g, drawn from N(0, 1) with rng,
// without a padding index.
func NewEmbedding(g *G.ExprGraph, name string, num, dim int, dt tensor.Dtype, rng *rand.Rand) (*Embedding, error) {
	return NewEmbeddingPadded(g, name, num, dim, ops.NoPadding, dt, rng)
}

// NewEmbeddingPadded is NewEmbedding with PyTorch's padding_idx: row
// padding (in [0, num), or ops.NoPadding for none) of the weight starts
// at zero and never gets a gradient.
func NewEmbeddingPadded(g *G.ExprGraph, name string, num, dim, padding int, dt tensor.Dtype, rng *rand.Rand) (e *Embedding, err error) {
	if num <= 0 || dim <= 0 {
		return nil, errors.Errorf("embedding %q: sizes must be positive, got num=%d dim=%d", name, num, dim)
	}
	if err := checkInit("embedding", name, rng, num, dim); err != nil {
		return nil, err
	}
	if padding != ops.NoPadding && (padding < 0 || padding >= num) {
		return nil, errors.Errorf("embedding %q: padding_idx %d outside [0, %d) (ops.NoPadding for none)", name, padding, num)
	}
	w := tensor.New(tensor.Of(dt), tensor.WithShape(num, dim))
	floatdense.Fill(w.Data(), rng.NormFloat64)
	e = &Embedding{Name: name, Num: num, Dim: dim, Padding: padding}
	if padding >= 0 {
		switch d := w.Data().(type) {
		case []float64:
			clear(d[padding*dim : (padding+1)*dim])
		case []float32:
			clear(d[padding*dim : (padding+1)*dim])
		}
	}
	p := newLayerParams(g, "embedding", name, dt, rng)
	if e.Weight = p.value("weight", w); p.err != nil {
		return nil, p.err
	}
	return e, nil
}

// Forward looks up idx, an int64 node of any shape S, giving [S..., Dim].
func (e *Embedding) Forward(idx *G.Node) (y *G.Node, err error) {
	defer panics.Recover(&err, "embedding %q", e.Name)
	if idx.Dtype() != tensor.Int64 || idx.IsScalar() {
		return nil, errors.Errorf("embedding %q: indices %q must be an int64 tensor, got %v of shape %v", e.Name, idx.Name(), idx.Dtype(), idx.Shape())
	}
	y, err = ops.Embedding(e.Weight, idx, e.Padding)
	return y, errors.Wrapf(err, "embedding %q", e.Name)
}

// Params returns the weight.
func (e *Embedding) Params() []*G.Node { return []*G.Node{e.Weight} }

// Buffers returns nil: Embedding has no buffers.
func (e *Embedding) Buffers() []*Buffer { return nil }
