package parallel

import (
	"math/rand/v2"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/models"
)

// Stream is an endless synthetic stream of batches for a model, built from
// its declared inputs: sample i of step t depends only on the seed, t and i
// (not on the batch's cut into shards, ranks or replicas), so each rank
// generates only its own rows, as PyTorch's DistributedSampler reads only
// its rank's indices. Float inputs are U(-1, 1); an int64 x (token ids) is
// uniform over the model's embedding rows; float targets are U(0, 1) (valid
// for MSE and BCE alike), int64 targets uniform class indices in
// [0, classes), classes being the width of the model's output.
type Stream struct {
	seed         uint64
	xDt, yDt     tensor.Dtype
	xPer, yPer   int // elements per sample
	vocab, class int // ranges of int64 x and y
	pcg          *rand.PCG
	rng          *rand.Rand
}

// NewStream returns the stream seeded by seed for m's inputs.
func NewStream(m *models.Model, seed uint64) (*Stream, error) {
	if m.X == nil || m.Y == nil || m.X.Dims() == 0 || m.Y.Dims() == 0 {
		return nil, errors.Errorf("stream: model %q has no batched inputs x and y", m.Name)
	}
	s := &Stream{seed: seed, xDt: m.X.Dtype(), yDt: m.Y.Dtype(), pcg: rand.NewPCG(seed, 0)}
	s.rng = rand.New(s.pcg)
	s.xPer = m.X.Shape().TotalSize() / m.X.Shape()[0]
	s.yPer = m.Y.Shape().TotalSize() / m.Y.Shape()[0]
	if s.xDt == tensor.Int64 {
		if s.vocab = vocabulary(m); s.vocab <= 0 {
			return nil, errors.Errorf("stream: model %q takes int64 x but has no embedding to say their range", m.Name)
		}
	}
	if s.yDt == tensor.Int64 {
		if m.Output == nil || m.Output.Dims() != 2 {
			return nil, errors.Errorf("stream: model %q takes int64 targets but its output is not [batch, classes]", m.Name)
		}
		s.class = m.Output.Shape()[1]
	}
	return s, nil
}

// vocabulary is the number of rows of m's first embedding.
func vocabulary(m *models.Model) int {
	for _, mod := range m.Modules {
		if e, ok := mod.(*models.Embedding); ok {
			return e.Num
		}
	}
	for _, p := range m.Params {
		if strings.HasPrefix(p.Name(), "emb") && strings.HasSuffix(p.Name(), ".weight") && p.Dims() == 2 {
			return p.Shape()[0]
		}
	}
	return 0
}

// Fill writes samples first, first+1, ... of step's global batch into the
// rows of x and y (as many as x has rows). It allocates nothing.
func (s *Stream) Fill(step, first int, x, y *tensor.Dense) error {
	if x.Dtype() != s.xDt || y.Dtype() != s.yDt {
		return errors.Errorf("stream: x %v and y %v, want %v and %v", x.Dtype(), y.Dtype(), s.xDt, s.yDt)
	}
	rows := x.Shape().TotalSize() / s.xPer
	if x.Shape().TotalSize() != rows*s.xPer || y.Shape().TotalSize() != rows*s.yPer {
		return errors.Errorf("stream: x %v and y %v do not hold whole samples of %d and %d elements", x.Shape(), y.Shape(), s.xPer, s.yPer)
	}
	for i := 0; i < rows; i++ {
		s.pcg.Seed(s.seed, uint64(step)<<32|uint64(first+i))
		s.fill(x, i*s.xPer, s.xPer, s.vocab, -1, 1)
		s.fill(y, i*s.yPer, s.yPer, s.class, 0, 1)
	}
	return nil
}

// fill draws n elements of t from off: U(lo, hi) floats or int64 in [0, k).
func (s *Stream) fill(t *tensor.Dense, off, n, k int, lo, hi float64) {
	switch t.Dtype() {
	case tensor.Float64:
		d := t.Float64s()[off : off+n]
		for j := range d {
			d[j] = lo + (hi-lo)*s.rng.Float64()
		}
	case tensor.Float32:
		d := t.Float32s()[off : off+n]
		for j := range d {
			d[j] = float32(lo + (hi-lo)*s.rng.Float64())
		}
	case tensor.Int64:
		d := t.Int64s()[off : off+n]
		for j := range d {
			d[j] = int64(s.rng.IntN(k))
		}
	}
}
