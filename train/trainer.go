package train

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/parallel"
)

// RebuildFunc builds the same model (same layers, parameter names and
// shapes) for another batch size.
type RebuildFunc func(batch int) (*models.Model, error)

// Trainer trains one model: it owns the model's compiled program, the
// History and the loop's position (epoch and step), which callbacks read
// through its methods. Fit may be called again to train on; epochs then
// continue counting. A Trainer is not safe for concurrent use.
type Trainer struct {
	cfg     Config
	model   *models.Model
	prog    *compiler.Program  // the program for the model's own batch size
	params  []optimizers.Param // prog's parameters
	cache   *programCache      // the programs by batch size, prog's included
	cur     *batchProgram      // the program of the last training step
	batch   int
	cbs     callbacks
	history *History
	epoch   int // the current (or next) epoch
	end     int // the epoch the current Fit ends before
	step    int // global steps taken
	stop    bool
	reason  string
	group   *parallel.Group // the replicas, with Config.Replicas > 1
}

// NewTrainer compiles m (with cfg.CompileOptions) and checks cfg and the
// datasets against the model's inputs. The model is trained in place.
// Programs for other batch sizes (Config.BatchSize, a last partial batch,
// a validation remainder) are built on first use and cached; those needed
// by the training and validation sets are built here, so that a model that
// cannot be rebuilt fails now, not mid-training.
func NewTrainer(m *models.Model, cfg Config) (t *Trainer, err error) {
	if m == nil {
		return nil, errors.New("train: nil model")
	}
	defer panics.Recover(&err, "train: model %q", m.Name)
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if m.X == nil {
		return nil, errors.Errorf("train: model %q has no input X", m.Name)
	}
	if len(m.Inputs) > 0 {
		names := make([]string, len(m.Inputs))
		for i, n := range m.Inputs {
			names[i] = n.Name()
		}
		return nil, errors.Errorf("train: model %q reads inputs %v besides X and Y; a dataset holds only X and Y, so bind them in a loop of your own (compiler.Program.Bind)", m.Name, names)
	}
	t = &Trainer{cfg: cfg, model: m, batch: m.X.Shape()[0], history: &History{}}
	if cfg.BatchSize != 0 {
		t.batch = cfg.BatchSize
	}
	if err := t.checkData(cfg.Train, "training"); err != nil {
		return nil, err
	}
	if cfg.DropLast && cfg.Train.Len() < t.batch {
		return nil, errors.Errorf("train: training set %q has %d samples, fewer than one batch of %d (DropLast)", cfg.Train.Name, cfg.Train.Len(), t.batch)
	}
	if cfg.Validation != nil {
		if err := t.checkData(cfg.Validation, "validation"); err != nil {
			return nil, err
		}
	}
	if t.cfg.Rebuild == nil {
		t.cfg.Rebuild = zooRebuild(m)
	}
	t.cache = newProgramCache(m, t.cfg.Rebuild, func(m *models.Model) (*compiler.Program, error) { return m.Compile(cfg.CompileOptions...) })
	own, err := t.cache.get(m.X.Shape()[0])
	if err != nil {
		return nil, errors.Wrap(err, "train")
	}
	t.prog, t.params, t.cur = own.prog, own.params, own
	if err := t.prepare(); err != nil {
		_ = t.Close()
		return nil, err
	}
	if err := t.replicate(); err != nil {
		_ = t.Close()
		return nil, err
	}
	t.cbs = callbacks(slices.Clone(cfg.Callbacks))
	if cfg.Out != nil && !slices.ContainsFunc(t.cbs, func(c Callback) bool { _, ok := c.(*ProgressBar); return ok }) {
		t.cbs = append(t.cbs, NewProgressBar(cfg.Out))
	}
	return t, nil
}

// prepare builds the programs the training and validation sets need.
func (t *Trainer) prepare() error {
	sizes := []int{min(t.batch, t.cfg.Train.Len())}
	if r := t.cfg.Train.Len() % t.batch; r > 0 && !t.cfg.DropLast {
		sizes = append(sizes, r)
	}
	if t.cfg.Validation != nil {
		sizes = append(sizes, min(t.batch, t.cfg.Validation.Len()))
		if r := t.cfg.Validation.Len() % t.batch; r > 0 {
			sizes = append(sizes, r)
		}
	}
	for _, n := range sizes {
		if _, err := t.cache.get(n); err != nil {
			return err
		}
	}
	return nil
}

// Fit is NewTrainer followed by Trainer.Fit and Close: it trains m in
// place and returns its History.
func Fit(ctx context.Context, m *models.Model, cfg Config) (*History, error) {
	t, err := NewTrainer(m, cfg)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	return t.Fit(ctx)
}

// Model returns the model being trained.
func (t *Trainer) Model() *models.Model { return t.model }

// Program returns the model's compiled training program.
func (t *Trainer) Program() *compiler.Program { return t.prog }

// Params returns the parameters as the optimizer sees them (values and
// the gradients of the last step; the value tensors are the same for
// every batch size).
func (t *Trainer) Params() []optimizers.Param { return t.cur.params }

// Optimizer returns the optimizer.
func (t *Trainer) Optimizer() optimizers.Optimizer { return t.cfg.Optimizer }

// History returns the history so far.
func (t *Trainer) History() *History { return t.history }

// Epoch returns the current epoch (from 0); after training, the number of
// epochs run.
func (t *Trainer) Epoch() int { return t.epoch }

// Step returns the number of optimizer steps taken.
func (t *Trainer) Step() int { return t.step }

// BatchSize returns the training batch size (Config.BatchSize, or the
// model's).
func (t *Trainer) BatchSize() int { return t.batch }

// Epochs returns Config.Epochs, the number of epochs Fit runs.
func (t *Trainer) Epochs() int { return t.cfg.Epochs }

// Stop ends training after the current epoch (Keras's
// model.stop_training = True), recording why.
func (t *Trainer) Stop(reason string) { t.stop, t.reason = true, reason }

// StopReason returns the reason given to Stop, "" if training ran to the
// end.
func (t *Trainer) StopReason() string { return t.reason }

// Close releases the compiled programs.
func (t *Trainer) Close() error {
	if t.group != nil {
		_ = t.group.Close()
	}
	if t.cache != nil {
		t.cache.close()
	}
	return nil
}

// Fit runs Config.Epochs epochs (fewer if a callback calls Stop) and
// returns the History, which holds every completed epoch also when Fit
// returns an error.
func (t *Trainer) Fit(ctx context.Context) (h *History, err error) {
	defer panics.Recover(&err, "train: model %q", t.model.Name)
	if lr := t.cfg.Optimizer.LR(); math.IsNaN(lr) || math.IsInf(lr, 0) || lr < 0 {
		return t.history, errors.Errorf("train: the optimizer's learning rate is %v, want a finite number >= 0", lr)
	}
	t.stop, t.reason = false, ""
	b, err := data.NewBatcher(t.cfg.Train, data.BatchConfig{Size: t.batch, Shuffle: !t.cfg.NoShuffle, Seed: t.cfg.Seed, DropLast: t.cfg.DropLast})
	if err != nil {
		return t.history, errors.Wrap(err, "train")
	}
	b.SetEpoch(t.epoch)
	t.end = t.epoch + t.cfg.Epochs
	err = t.cbs.each("OnTrainBegin", func(c Callback) error { return c.OnTrainBegin(t) })
	for e := 0; err == nil && e < t.cfg.Epochs && !t.stop; e++ {
		err = t.runEpoch(ctx, b)
	}
	endErr := t.cbs.each("OnTrainEnd", func(c Callback) error { return c.OnTrainEnd(t, err) })
	if err == nil {
		err = endErr
	}
	return t.history, err
}

// runEpoch trains one epoch, validates, steps the schedules and records
// the epoch.
func (t *Trainer) runEpoch(ctx context.Context, b *data.Batcher) error {
	start := time.Now()
	epoch := t.epoch
	if err := t.cbs.each("OnEpochBegin", func(c Callback) error { return c.OnEpochBegin(t, epoch) }); err != nil {
		return err
	}
	for _, m := range t.cfg.Metrics {
		m.Reset()
	}
	var loss meanAccumulator
	n := b.BatchesPerEpoch()
	lr := t.cfg.Optimizer.LR()
	for i := 0; b.Next(); i++ {
		if err := ctx.Err(); err != nil {
			return errors.Wrapf(err, "train: %s", t.where(epoch, i, n))
		}
		info := Batch{Epoch: epoch, Index: i, Batches: n, Step: t.step, Size: len(b.Indices()), LR: t.cfg.Optimizer.LR()}
		if err := t.trainStep(b.X(), b.Y(), &info); err != nil {
			return err
		}
		lr = info.LR
		loss.add(info.Loss, info.Size)
		if err := t.cbs.each("OnBatchEnd", func(c Callback) error { return c.OnBatchEnd(t, info) }); err != nil {
			return err
		}
	}
	logs, order, err := t.epochLogs(ctx, loss.value())
	if err != nil {
		return errors.Wrapf(err, "train: %s: validation", t.where(epoch, -1, 0))
	}
	if err := t.stepSchedules(logs); err != nil {
		return errors.Wrapf(err, "train: %s", t.where(epoch, -1, 0))
	}
	t.history.add(EpochRecord{Epoch: epoch, Steps: n, LR: lr, Time: time.Since(start), Values: logs}, order)
	t.epoch++
	if err := t.cbs.each("OnEpochEnd", func(c Callback) error { return c.OnEpochEnd(t, epoch, logs) }); err != nil {
		return err
	}
	return t.cbs.flush(t, epoch)
}

// epochLogs returns the epoch's values, the training loss and metrics
// and, with a validation set, "val_" + each, and their column order.
func (t *Trainer) epochLogs(ctx context.Context, loss float64) (Logs, []string, error) {
	logs := Logs{"loss": loss}
	names := []string{"loss"}
	for _, m := range t.cfg.Metrics {
		logs[m.Name()] = m.Value()
		names = append(names, m.Name())
	}
	if t.cfg.Validation == nil {
		return logs, names, nil
	}
	v, err := t.evaluate(ctx, t.cfg.Validation)
	if err != nil {
		return nil, nil, err
	}
	order := slices.Clone(names)
	for _, name := range names {
		logs["val_"+name] = v[name]
		order = append(order, "val_"+name)
	}
	return logs, order, nil
}

// trainStep runs one forward/backward pass on (x, y), clips, steps the
// optimizer and fills info.Loss.
func (t *Trainer) trainStep(x, y *tensor.Dense, info *Batch) error {
	where := func() string {
		return t.where(info.Epoch, info.Index, info.Batches)
	}
	bp, err := t.cache.get(info.Size)
	if err != nil {
		return errors.Wrapf(err, "train: %s", where())
	}
	t.cur = bp
	if t.group != nil && info.Size == t.batch {
		// Replicas share the step of a full batch; a partial last batch runs
		// on one program of its size.
		if info.Loss, err = t.replicatedStep(bp, x, y); err != nil {
			return errors.Wrapf(err, "train: %s", where())
		}
	} else if err := t.singleStep(bp, x, y, info); err != nil {
		var nf *compiler.NonFiniteError
		if errors.As(err, &nf) {
			return errors.Wrapf(err, "train: %s: the loss or a gradient became non-finite", where())
		}
		return errors.Wrapf(err, "train: %s", where())
	}
	if math.IsNaN(info.Loss) || math.IsInf(info.Loss, 0) {
		return errors.Errorf("train: %s: loss is %v (compile with the NaN guard on to name the node)", where(), info.Loss)
	}
	if err := t.cbs.backward(t, *info); err != nil {
		return errors.Wrapf(err, "train: %s", where())
	}
	if err := t.cfg.Clip.apply(bp.params); err != nil {
		return errors.Wrapf(err, "train: %s: clipping", where())
	}
	if err := t.cfg.Optimizer.Step(bp.params); err != nil {
		return errors.Wrapf(err, "train: %s: optimizer step", where())
	}
	t.step++
	if t.cfg.Schedule != nil && t.cfg.ScheduleEveryStep {
		t.cfg.Schedule.Step()
	}
	return nil
}

// singleStep runs bp's forward and backward pass on (x, y), with the
// model's buffers copied in and out, and updates the metrics.
func (t *Trainer) singleStep(bp *batchProgram, x, y *tensor.Dense, info *Batch) error {
	if err := t.cache.before(bp); err != nil {
		return err
	}
	if err := bp.bind(x, y); err != nil {
		return err
	}
	if err := bp.prog.RunTrain(); err != nil {
		return err
	}
	if err := t.cache.after(bp); err != nil {
		return err
	}
	info.Loss = bp.prog.Loss()
	return t.updateMetrics(bp.prog, y, info.Size)
}

// where says where the loop is for people, counting from 1 as the progress
// bar does: "epoch 3/5, batch 1/6" (no batch when batch < 0).
func (t *Trainer) where(epoch, batch, batches int) string {
	s := fmt.Sprintf("epoch %d/%d", epoch+1, t.end)
	if batch >= 0 {
		s += fmt.Sprintf(", batch %d/%d", batch+1, batches)
	}
	return s
}

// stepSchedules steps the per-epoch schedule and ReduceLROnPlateau.
func (t *Trainer) stepSchedules(logs Logs) error {
	if t.cfg.Schedule != nil && !t.cfg.ScheduleEveryStep {
		t.cfg.Schedule.Step()
	}
	if t.cfg.Plateau != nil {
		name := t.cfg.plateauMonitor()
		v, ok := logs[name]
		if !ok {
			return errors.Errorf("ReduceLROnPlateau monitors %q, which is not recorded (have %v)", name, keys(logs))
		}
		t.cfg.Plateau.Step(v)
	}
	return nil
}

// updateMetrics feeds the program's output of the last run to the metrics.
func (t *Trainer) updateMetrics(p *compiler.Program, y *tensor.Dense, n int) error {
	if len(t.cfg.Metrics) == 0 {
		return nil
	}
	out, ok := p.Output(0).(*tensor.Dense)
	if !ok {
		return errors.Errorf("model output is a %T, not a tensor", p.Output(0))
	}
	for _, m := range t.cfg.Metrics {
		if err := m.Update(out, y, n); err != nil {
			return errors.Wrapf(err, "metric %q", m.Name())
		}
	}
	return nil
}
