package train

import (
	"slices"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
)

// batchProgram is the model compiled for one batch size. A program for
// another batch size than the model's own runs on a copy of the model
// (Config.Rebuild) whose parameter nodes share the model's tensors: an
// optimizer step through either updates both, and the optimizer's state,
// keyed by parameter name, is one. Buffers (batch norm's running
// statistics) are copied in before each run and out after a training run.
type batchProgram struct {
	model  *models.Model
	prog   *compiler.Program
	params []optimizers.Param
	hasY   bool // the program reads the model's target
	own    bool // model is the trained model itself
}

// programCache builds the program for a batch size on first use and keeps
// it, as PyTorch users expect any batch size to work.
type programCache struct {
	main    *models.Model
	rebuild RebuildFunc
	compile func(*models.Model) (*compiler.Program, error)
	progs   map[int]*batchProgram
}

func newProgramCache(m *models.Model, rebuild RebuildFunc, compile func(*models.Model) (*compiler.Program, error)) *programCache {
	return &programCache{main: m, rebuild: rebuild, compile: compile, progs: map[int]*batchProgram{}}
}

// get returns the program for batches of n samples, building it the first
// time.
func (c *programCache) get(n int) (*batchProgram, error) {
	if bp, ok := c.progs[n]; ok {
		return bp, nil
	}
	m := c.main
	own := m.X.Shape()[0] == n
	if !own {
		var err error
		if m, err = c.copyFor(n); err != nil {
			return nil, err
		}
	}
	p, err := c.compile(m)
	if err != nil {
		return nil, errors.Wrapf(err, "train: compiling model %q for a batch of %d", c.main.Name, n)
	}
	bp := &batchProgram{model: m, prog: p, params: optimizers.ParamsOf(p), own: own}
	bp.hasY = m.Y != nil && slices.Contains(p.Inputs(), m.Y)
	c.progs[n] = bp
	return bp, nil
}

// copyFor builds the model for a batch of n with Rebuild and makes its
// parameters share the trained model's tensors.
func (c *programCache) copyFor(n int) (*models.Model, error) {
	if c.rebuild == nil {
		return nil, errors.Errorf("train: model %q is built for batches of %d and there is no way to build it for a batch of %d: set Config.Rebuild (a zoo model needs none), or DropLast to skip a last partial batch",
			c.main.Name, c.main.X.Shape()[0], n)
	}
	m, err := c.rebuild(n)
	if err != nil {
		return nil, errors.Wrapf(err, "train: rebuilding model %q for a batch of %d", c.main.Name, n)
	}
	if m == nil || m.X == nil || m.X.Shape()[0] != n {
		return nil, errors.Errorf("train: Rebuild(%d) did not build a model for batches of %d", n, n)
	}
	if err := shareParams(m, c.main); err != nil {
		return nil, errors.Wrapf(err, "train: the model Rebuild(%d) built does not match model %q", n, c.main.Name)
	}
	return m, nil
}

// shareParams binds each parameter node of dst to the tensor of src's
// parameter of the same name (and shape).
func shareParams(dst, src *models.Model) error {
	byName := make(map[string]*G.Node, len(src.Params))
	for _, p := range src.Params {
		byName[p.Name()] = p
	}
	if len(dst.Params) != len(src.Params) {
		return errors.Errorf("%d parameters, the model has %d", len(dst.Params), len(src.Params))
	}
	for _, p := range dst.Params {
		q, ok := byName[p.Name()]
		if !ok {
			return errors.Errorf("parameter %q: the model has no such parameter", p.Name())
		}
		v := q.Value().(*tensor.Dense)
		if !slices.Equal(p.Shape(), q.Shape()) || p.Dtype() != q.Dtype() {
			return errors.Errorf("parameter %q: %v %v, the model has %v %v", p.Name(), p.Dtype(), p.Shape(), q.Dtype(), q.Shape())
		}
		if err := G.Let(p, v); err != nil {
			return errors.Wrapf(err, "sharing parameter %q", p.Name())
		}
	}
	return copyBuffers(dst, src)
}

// copyBuffers copies src's buffers into dst's, by name.
func copyBuffers(dst, src *models.Model) error {
	if len(src.Buffers) == 0 {
		return nil
	}
	byName := make(map[string]*models.Buffer, len(src.Buffers))
	for _, b := range src.Buffers {
		byName[b.Name] = b
	}
	for _, b := range dst.Buffers {
		s, ok := byName[b.Name]
		if !ok {
			return errors.Errorf("buffer %q: the other model has no such buffer", b.Name)
		}
		if err := b.Load(s.Value()); err != nil {
			return err
		}
	}
	return nil
}

// before makes bp's buffers those of the trained model.
func (c *programCache) before(bp *batchProgram) error {
	if bp.own {
		return nil
	}
	return copyBuffers(bp.model, c.main)
}

// after copies a training run's buffer updates back to the trained model.
func (c *programCache) after(bp *batchProgram) error {
	if bp.own {
		return nil
	}
	return copyBuffers(c.main, bp.model)
}

// bind binds a batch to bp's inputs: x always, y when the program reads a
// target (a model without one, or whose loss does not use it, takes none).
func (bp *batchProgram) bind(x, y *tensor.Dense) error {
	if err := bp.prog.Bind(bp.model.X.Name(), x); err != nil {
		return err
	}
	if !bp.hasY {
		return nil
	}
	if y == nil {
		return errors.Errorf("model %q reads the target %q, but the batch has none", bp.model.Name, bp.model.Y.Name())
	}
	return bp.prog.Bind(bp.model.Y.Name(), y)
}

func (c *programCache) close() {
	for _, bp := range c.progs {
		_ = bp.prog.Close()
	}
}
