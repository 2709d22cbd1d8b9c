package train

import (
	"io"
	"math"

	"github.com/pkg/errors"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/internal/typednil"
	"github.com/symgrad/symgrad/optimizers"
)

// Config says how to train a model. The zero value of every field but
// Epochs, Train and Optimizer is a sensible default.
type Config struct {
	// Epochs is the number of passes over Train; it must be at least 1.
	Epochs int
	// BatchSize is the number of samples per training, validation and
	// prediction batch; 0 means the model's (its input x is [B, ...]).
	// Gorgonia graphs have static shapes, so a program is compiled for
	// each batch size the first time it is needed (on a copy of the model
	// built by Rebuild whose parameters share the model's tensors) and
	// cached: parameters and optimizer state are one.
	BatchSize int
	// Replicas, above 1, trains data-parallel on that many cores (package
	// parallel): every batch is cut into Replicas equal shards, each run at
	// once by its own copy of the model (built with Rebuild for
	// BatchSize/Replicas samples), and the shards' gradients are averaged
	// in a fixed order into the program's gradients before one optimizer
	// step: the update of one copy on the whole batch, to rounding, and the
	// same bits on every run. The batch size must be a multiple of Replicas.
	// Batch norm is synchronized over the shards (parallel's SyncBatchNorm).
	// 0 or 1 means one copy.
	Replicas int
	// Train is the training set. Every epoch it is shuffled (unless
	// NoShuffle) and cut into batches of BatchSize; the last partial batch
	// is kept as a smaller batch (PyTorch's DataLoader default), so an
	// epoch takes ceil(N/B) steps, unless DropLast.
	Train *data.Dataset
	// DropLast drops the last partial training batch of every epoch
	// (DataLoader(drop_last=True)): floor(N/B) steps per epoch.
	DropLast bool
	// Validation, when non-nil, is evaluated after every epoch in
	// evaluation mode; every sample counts exactly once (see Evaluate).
	Validation *data.Dataset
	// NoShuffle keeps Train in its stored order.
	NoShuffle bool
	// Seed seeds the shuffling of Train: epoch e's order depends only on
	// Seed and e (data.BatchConfig.Seed), so a run is reproducible bit for
	// bit.
	Seed uint64
	// Optimizer updates the parameters after every step.
	Optimizer optimizers.Optimizer
	// Clip clips the gradients of every step before the optimizer step.
	Clip Clip
	// Schedule, when non-nil, is stepped after every epoch, or after every
	// optimizer step when ScheduleEveryStep is true.
	Schedule          optimizers.Scheduler
	ScheduleEveryStep bool
	// Plateau, when non-nil, is stepped after every epoch with the value
	// named by PlateauMonitor ("" means "val_loss" when there is a
	// validation set, else "loss").
	Plateau        *optimizers.ReduceLROnPlateau
	PlateauMonitor string
	// Metrics are computed on the training batches (in training mode, from
	// the same forward pass as the gradients) and on the validation set.
	// The loss is always recorded.
	Metrics []Metric
	// Callbacks are called in order at each hook.
	Callbacks []Callback
	// CompileOptions are passed to Model.Compile (L1/L2 penalties, the
	// NaN guard, which is on by default). They are also used to compile the
	// copy of the model that Rebuild makes for a last partial batch, so an
	// option that names parameter nodes (compiler.WithL2(λ, nodes...))
	// would name nodes of the wrong graph there: give penalties without
	// nodes (every parameter) when the validation set leaves a remainder.
	CompileOptions []compiler.Option
	// Rebuild builds the same model (layers, parameter names and shapes)
	// for another batch size. It is used for every batch size but the
	// model's own: BatchSize, a last partial training batch, the remainder
	// of a validation or prediction set. The copy's parameters are bound
	// to the trained model's tensors and its buffers copied in before each
	// run (and back after a training run), so its own initial values do
	// not matter. nil means models.Build with the model's zoo name, dtype
	// and seed (for zoo models).
	Rebuild RebuildFunc
	// Out, when non-nil, gets a progress report: a ProgressBar on Out is
	// added to the callbacks unless Callbacks already holds one.
	Out io.Writer
}

// Clip configures gradient clipping, applied to the raw gradients of every
// step before the optimizer step. A zero field is off; with both set, the
// values are clamped first, then the global norm is scaled.
type Clip struct {
	// Value clamps every gradient element into [-Value, Value]
	// (optimizers.ClipGradValue, torch.nn.utils.clip_grad_value_).
	Value float64
	// MaxNorm scales all gradients so that their global NormType-norm is
	// at most MaxNorm (optimizers.ClipGradNorm,
	// torch.nn.utils.clip_grad_norm_(max_norm=...)).
	MaxNorm float64
	// NormType is the p of the norm; 0 means 2.
	NormType float64
}

// apply clips the gradients of ps.
func (c Clip) apply(ps []optimizers.Param) error {
	if c.Value > 0 {
		if err := optimizers.ClipGradValue(ps, c.Value); err != nil {
			return err
		}
	}
	if c.MaxNorm > 0 {
		p := c.NormType
		if p == 0 {
			p = 2
		}
		if _, err := optimizers.ClipGradNorm(ps, c.MaxNorm, p, false); err != nil {
			return err
		}
	}
	return nil
}

// check validates the settings that do not depend on the model.
func (c *Config) check() error {
	switch {
	case c.Epochs < 1:
		return errors.Errorf("train: Epochs is %d, want >= 1", c.Epochs)
	case c.Train == nil:
		return errors.New("train: no training set (Config.Train is nil)")
	case c.Optimizer == nil:
		return errors.New("train: no optimizer (Config.Optimizer is nil)")
	case c.Clip.Value < 0 || c.Clip.MaxNorm < 0:
		return errors.Errorf("train: Clip.Value %g and Clip.MaxNorm %g must not be negative", c.Clip.Value, c.Clip.MaxNorm)
	case c.Clip.NormType < 0:
		return errors.Errorf("train: Clip.NormType %g must not be negative", c.Clip.NormType)
	case c.Epochs > maxCount:
		return errors.Errorf("train: Epochs is %d, more than 2^40", c.Epochs)
	case c.BatchSize < 0:
		return errors.Errorf("train: BatchSize is %d", c.BatchSize)
	case c.Replicas < 0:
		return errors.Errorf("train: Replicas is %d", c.Replicas)
	}
	if err := c.Clip.check(); err != nil {
		return err
	}
	if lr := c.Optimizer.LR(); math.IsNaN(lr) || math.IsInf(lr, 0) || lr < 0 {
		return errors.Errorf("train: the optimizer's learning rate is %v, want a finite number >= 0", lr)
	}
	for i, cb := range c.Callbacks {
		if typednil.Is(cb) {
			return errors.Errorf("train: Config.Callbacks[%d] is nil", i)
		}
	}
	for i, m := range c.Metrics {
		if typednil.Is(m) {
			return errors.Errorf("train: Config.Metrics[%d] is nil", i)
		}
	}
	return nil
}

// check refuses clipping settings that would silently mean something
// else: NaN disables a comparison, a negative limit is meaningless, and a
// norm type must be positive (or +Inf, the max norm).
func (c Clip) check() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"Clip.Value", c.Value}, {"Clip.MaxNorm", c.MaxNorm}} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return errors.Errorf("train: clip: %s is %v, want a finite number >= 0 (0 is off)", f.name, f.v)
		}
	}
	if !(c.NormType >= 0) {
		return errors.Errorf("train: clip: Clip.NormType is %v, want a positive number, +Inf, or 0 for 2", c.NormType)
	}
	return nil
}

// plateauMonitor is the name of the value fed to Plateau.
func (c *Config) plateauMonitor() string {
	if c.PlateauMonitor != "" {
		return c.PlateauMonitor
	}
	if c.Validation != nil {
		return "val_loss"
	}
	return "loss"
}
