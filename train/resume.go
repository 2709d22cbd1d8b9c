package train

import (
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/safetensors"
)

// Checkpoint metadata keys that Resume reads, besides "epoch", "step" and
// "lr". The scheduler's and ReduceLROnPlateau's optimizers.ScheduleState
// are stored field by field under "schedule." and "plateau." (kind,
// last_epoch, base_lr, last_lr, best, num_bad_epochs, cooldown_counter);
// the History is stored as CSV under "history".
const (
	metaSchedule = "schedule."
	metaPlateau  = "plateau."
	metaHistory  = "history"
)

// Resume restores the training state saved by the Checkpoint callback at
// path, so that the next Fit continues the interrupted run as if it had
// not stopped — PyTorch's model.load_state_dict, optimizer.load_state_dict,
// scheduler.load_state_dict and start_epoch = checkpoint["epoch"] + 1 in
// one call. It loads
//
//   - the model's parameters and buffers (as models.LoadCheckpoint: the
//     file must be a checkpoint of this model, by name, shapes and dtypes,
//     and every float value finite);
//   - the optimizer's state (Optimizer.LoadState; every tensor the shape of
//     its parameter and finite) and learning rate (SetLR, from "lr", which
//     must be finite and not negative);
//   - the progress of Config.Schedule and Config.Plateau (Restore); the
//     checkpoint must hold a state for each that is set and for nothing
//     else, of the same kind;
//   - the state of every Resumable callback of Config.Callbacks
//     (EarlyStopping's best value and patience count, a best-only
//     Checkpoint's best value), by index: the checkpoint must hold one for
//     each, of the same kind and monitoring the same value;
//   - the random streams of the model's dropout layers;
//   - the epoch counter (the saved epoch + 1), the step counter and the
//     History.
//
// The next Fit then runs Config.Epochs more epochs, numbered on from the
// checkpoint's, with the shuffling order of those epochs (it depends only
// on Config.Seed and the epoch number). Given the same model, data, seeds
// and settings, the losses, parameters, masks, early stopping and saved
// files are bit-identical to those of an uninterrupted run (except
// EarlyStopping.RestoreBest's copy of the best weights, which is not
// saved: see EarlyStopping).
//
// The file is read once. Call Resume between Fits, on a Trainer made with
// the same Config as the interrupted one. A corrupt or truncated file, a
// checkpoint of another model, or missing, malformed or out-of-range
// training metadata (a NaN or negative "lr", an "epoch" beyond 2^40) is an
// error naming the key or tensor, never a panic; on error the Trainer, the
// model, the optimizer, the schedules and the callbacks are unchanged.
func (t *Trainer) Resume(path string) (err error) {
	defer panics.Recover(&err, "train: resuming model %q from %s", t.model.Name, path)
	f, err := safetensors.Read(path)
	if err != nil {
		return errors.Wrapf(err, "train: resuming model %q", t.model.Name)
	}
	r, err := t.parseResume(f)
	if err != nil {
		return errors.Wrapf(err, "train: resuming model %q from %s", t.model.Name, path)
	}
	if err := t.applyResume(r); err != nil {
		return errors.Wrapf(err, "train: resuming model %q from %s", t.model.Name, path)
	}
	return nil
}

// resumeState is what Resume reads from a checkpoint before it changes
// anything.
type resumeState struct {
	epoch, step       int
	lr                float64
	model             map[string]*tensor.Dense
	optimizer         map[string]*tensor.Dense
	schedule, plateau *optimizers.ScheduleState
	history           *History
	callbacks         map[int]map[string]string
	rng               map[string][]byte
}

// parseResume reads and checks the training state in f.
func (t *Trainer) parseResume(f *safetensors.File) (*resumeState, error) {
	md := f.Metadata
	if v, ok := md[models.MetaVersion]; ok && v != models.CheckpointVersion {
		return nil, errors.Errorf("checkpoint format version %q, this build reads version %q", v, models.CheckpointVersion)
	}
	// The model's name is metadata, not a gate (as for LoadCheckpoint): the
	// tensors' names and shapes decide.
	r := &resumeState{optimizer: map[string]*tensor.Dense{}, model: map[string]*tensor.Dense{}}
	var err error
	if r.epoch, err = metaIntIn(md, "epoch", 0, maxCount); err != nil {
		return nil, err
	}
	if r.step, err = metaIntIn(md, "step", 0, maxCount); err != nil {
		return nil, err
	}
	if r.lr, err = metaRate(md, "lr"); err != nil {
		return nil, err
	}
	if r.schedule, err = t.parseSchedule(md, metaSchedule, t.cfg.Schedule != nil, "Config.Schedule"); err != nil {
		return nil, err
	}
	if r.plateau, err = t.parseSchedule(md, metaPlateau, t.cfg.Plateau != nil, "Config.Plateau"); err != nil {
		return nil, err
	}
	r.history = &History{}
	if s, ok := md[metaHistory]; ok {
		if r.history, err = decodeHistory(s); err != nil {
			return nil, err
		}
		if n := len(r.history.Epochs); n > 0 && r.history.Epochs[n-1].Epoch != r.epoch {
			return nil, errors.Errorf("the history ends at epoch %d, the checkpoint is of epoch %d", r.history.Epochs[n-1].Epoch, r.epoch)
		}
	}
	if r.callbacks, err = t.parseCallbacks(md); err != nil {
		return nil, err
	}
	if err := t.checkCallbackStates(r.callbacks); err != nil {
		return nil, err
	}
	if r.rng, err = t.parseRNG(md); err != nil {
		return nil, err
	}
	if err := t.splitTensors(f, r); err != nil {
		return nil, err
	}
	return r, nil
}

// splitTensors sorts f's tensors into the model's state and the
// optimizer's, checking that every float value is finite and that every
// optimizer tensor is "<param>.step" (one value) or "<param>.<buffer>" of
// the parameter's shape.
func (t *Trainer) splitTensors(f *safetensors.File, r *resumeState) error {
	for _, name := range f.Order {
		v := f.Tensors[name]
		if err := checkFiniteTensor(name, v); err != nil {
			return err
		}
		rest, ok := strings.CutPrefix(name, models.OptimizerPrefix)
		if !ok {
			r.model[name] = v
			continue
		}
		p, suffix, ok := t.paramOfKey(rest)
		if !ok {
			return errors.Errorf("optimizer state %q is for no parameter of model %q", name, t.model.Name)
		}
		if suffix == "step" {
			if v.Shape().TotalSize() != 1 {
				return errors.Errorf("optimizer state %q has shape %v, want one value", name, v.Shape())
			}
		} else if !slices.Equal(v.Shape(), p.Value.Shape()) {
			return errors.Errorf("optimizer state %q has shape %v, parameter %q has shape %v", name, v.Shape(), p.Name, p.Value.Shape())
		}
		r.optimizer[rest] = v
	}
	return nil
}

// paramOfKey finds the trained parameter of an optimizer state key
// "<param>.<suffix>" (suffix without dots).
func (t *Trainer) paramOfKey(key string) (optimizers.Param, string, bool) {
	for _, p := range t.params {
		if suffix, ok := strings.CutPrefix(key, p.Name+"."); ok && suffix != "" && !strings.Contains(suffix, ".") {
			return p, suffix, true
		}
	}
	return optimizers.Param{}, "", false
}

// checkCallbackStates restores each known callback's state into a copy,
// so that a bad state is refused before anything changes.
func (t *Trainer) checkCallbackStates(states map[int]map[string]string) error {
	for i, st := range states {
		var err error
		switch c := t.cfg.Callbacks[i].(type) {
		case *EarlyStopping:
			cp := *c
			err = cp.RestoreState(st)
		case *Checkpoint:
			cp := *c
			err = cp.RestoreState(st)
		}
		if err != nil {
			return errors.Wrapf(err, "Config.Callbacks[%d]", i)
		}
	}
	return nil
}

// parseSchedule reads the ScheduleState stored under prefix; want says
// whether the Config has that schedule (field names it for errors). Every
// value must be in range: rates finite and not negative, counters not
// negative, the best value not NaN.
func (t *Trainer) parseSchedule(md map[string]string, prefix string, want bool, field string) (*optimizers.ScheduleState, error) {
	kind, have := md[prefix+"kind"]
	switch {
	case want && !have:
		return nil, errors.Errorf("%s is set, but the checkpoint holds no %q state (it was written without one)", field, strings.TrimSuffix(prefix, "."))
	case !want && have:
		return nil, errors.Errorf("the checkpoint holds a %s state, but %s is nil", kind, field)
	case !have:
		return nil, nil
	}
	s := optimizers.ScheduleState{Kind: kind}
	var err error
	ints := []struct {
		key string
		lo  int
		v   *int
	}{{"last_epoch", -1, &s.LastEpoch}, {"num_bad_epochs", 0, &s.NumBadEpochs}, {"cooldown_counter", 0, &s.CooldownCounter}}
	for _, f := range ints {
		if *f.v, err = metaIntIn(md, prefix+f.key, f.lo, maxCount); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		key string
		v   *float64
	}{{"base_lr", &s.BaseLR}, {"last_lr", &s.LastLR}} {
		if *f.v, err = metaRate(md, prefix+f.key); err != nil {
			return nil, err
		}
	}
	if s.Best, err = metaFloat(md, prefix+"best"); err != nil {
		return nil, err
	}
	if math.IsNaN(s.Best) {
		return nil, errors.Errorf("metadata %q is NaN", prefix+"best")
	}
	return &s, nil
}

// applyResume loads r; if a step fails it undoes the earlier ones.
func (t *Trainer) applyResume(r *resumeState) (err error) {
	var undo []func()
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	restore := func(s interface {
		State() optimizers.ScheduleState
		Restore(optimizers.ScheduleState) error
	}, st *optimizers.ScheduleState, what string) error {
		if st == nil {
			return nil
		}
		old := s.State()
		if err := s.Restore(*st); err != nil {
			return errors.Wrap(err, what)
		}
		undo = append(undo, func() { _ = s.Restore(old) })
		return nil
	}
	if err := restore(t.cfg.Schedule, r.schedule, "Config.Schedule"); err != nil {
		return err
	}
	if t.cfg.Plateau != nil {
		if err := restore(t.cfg.Plateau, r.plateau, "Config.Plateau"); err != nil {
			return err
		}
	}
	opt := t.cfg.Optimizer
	oldState, oldLR := opt.State(), opt.LR()
	if err := opt.LoadState(r.optimizer); err != nil {
		return errors.Wrap(err, "optimizer state")
	}
	undo = append(undo, func() { _ = opt.LoadState(oldState); opt.SetLR(oldLR) })
	oldModel := snapshot(t)
	if err := t.model.LoadStateDict(r.model); err != nil {
		return err
	}
	undo = append(undo, func() { _ = t.model.LoadStateDict(oldModel) })
	if err := t.restoreRNG(r.rng, &undo); err != nil {
		return err
	}
	for i, st := range r.callbacks {
		if err := t.cfg.Callbacks[i].(Resumable).RestoreState(st); err != nil {
			return errors.Wrapf(err, "Config.Callbacks[%d]", i)
		}
	}
	opt.SetLR(r.lr)
	t.epoch, t.step, t.history = r.epoch+1, r.step, r.history
	return nil
}

// restoreRNG sets every random stream's state, adding its undo.
func (t *Trainer) restoreRNG(states map[string][]byte, undo *[]func()) error {
	for key, r := range t.rngOps() {
		old, err := r.RNGState()
		if err != nil {
			return err
		}
		if err := r.SetRNGState(states[key]); err != nil {
			return errors.Wrapf(err, "metadata %q", metaRNG+key)
		}
		*undo = append(*undo, func() { _ = r.SetRNGState(old) })
	}
	return nil
}

// resumeMeta adds to meta what Resume needs beyond "epoch", "step" and
// "lr": the schedules' states, the History, the callbacks' states and the
// random streams.
func (t *Trainer) resumeMeta(meta map[string]string) error {
	if t.cfg.Schedule != nil {
		scheduleMeta(meta, metaSchedule, t.cfg.Schedule.State())
	}
	if t.cfg.Plateau != nil {
		scheduleMeta(meta, metaPlateau, t.cfg.Plateau.State())
	}
	h, err := encodeHistory(t.history)
	if err != nil {
		return err
	}
	meta[metaHistory] = h
	t.callbackMeta(meta)
	return t.rngMeta(meta)
}

// scheduleMeta stores s under prefix, every float exactly.
func scheduleMeta(meta map[string]string, prefix string, s optimizers.ScheduleState) {
	meta[prefix+"kind"] = s.Kind
	meta[prefix+"last_epoch"] = strconv.Itoa(s.LastEpoch)
	meta[prefix+"num_bad_epochs"] = strconv.Itoa(s.NumBadEpochs)
	meta[prefix+"cooldown_counter"] = strconv.Itoa(s.CooldownCounter)
	meta[prefix+"base_lr"] = formatFloat(s.BaseLR)
	meta[prefix+"last_lr"] = formatFloat(s.LastLR)
	meta[prefix+"best"] = formatFloat(s.Best)
}

// formatFloat formats v so that strconv.ParseFloat reads it back exactly
// (±Inf as "+Inf"/"-Inf", NaN as "NaN").
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func metaInt(md map[string]string, key string) (int, error) {
	s, ok := md[key]
	if !ok {
		return 0, errors.Errorf("no %q metadata (not a checkpoint written by train.Checkpoint)", key)
	}
	v, err := strconv.Atoi(s)
	return v, errors.Wrapf(err, "metadata %q", key)
}

func metaFloat(md map[string]string, key string) (float64, error) {
	s, ok := md[key]
	if !ok {
		return 0, errors.Errorf("no %q metadata (not a checkpoint written by train.Checkpoint)", key)
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, errors.Wrapf(err, "metadata %q", key)
}

// historyHead starts the header of an encoded History; the columns follow.
var historyHead = []string{"epoch", "steps", "lr", "time_ns"}

// encodeHistory writes h as CSV: a header "epoch,steps,lr,time_ns,
// <columns...>", then one row per epoch, every float exactly, missing
// values empty.
func encodeHistory(h *History) (string, error) {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(append(append([]string{}, historyHead...), h.Columns...))
	for _, e := range h.Epochs {
		row := []string{strconv.Itoa(e.Epoch), strconv.Itoa(e.Steps), formatFloat(e.LR), strconv.FormatInt(int64(e.Time), 10)}
		for _, c := range h.Columns {
			if v, ok := e.Values[c]; ok {
				row = append(row, formatFloat(v))
			} else {
				row = append(row, "")
			}
		}
		_ = w.Write(row)
	}
	w.Flush()
	return b.String(), errors.Wrap(w.Error(), "encoding the history")
}

// decodeHistory reads what encodeHistory writes.
func decodeHistory(s string) (*History, error) {
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		return nil, errors.Wrap(err, "metadata \"history\"")
	}
	if len(rows) == 0 || len(rows[0]) < len(historyHead) || strings.Join(rows[0][:len(historyHead)], ",") != strings.Join(historyHead, ",") {
		return nil, errors.New("metadata \"history\": bad header")
	}
	h := &History{Columns: rows[0][len(historyHead):]}
	for i, row := range rows[1:] {
		e, err := decodeEpoch(row, h.Columns)
		if err != nil {
			return nil, errors.Wrapf(err, "metadata \"history\": row %d", i+1)
		}
		if i > 0 && e.Epoch != h.Epochs[i-1].Epoch+1 {
			return nil, errors.Errorf("metadata \"history\": row %d is epoch %d", i+1, e.Epoch)
		}
		h.Epochs = append(h.Epochs, e)
	}
	return h, nil
}

// decodeEpoch reads one row of an encoded History.
func decodeEpoch(row, columns []string) (EpochRecord, error) {
	var e EpochRecord
	var err error
	if e.Epoch, err = strconv.Atoi(row[0]); err != nil {
		return e, err
	}
	if e.Steps, err = strconv.Atoi(row[1]); err != nil {
		return e, err
	}
	if e.LR, err = strconv.ParseFloat(row[2], 64); err != nil {
		return e, err
	}
	ns, err := strconv.ParseInt(row[3], 10, 64)
	if err != nil {
		return e, err
	}
	e.Time, e.Values = time.Duration(ns), Logs{}
	for j, c := range columns {
		if row[len(historyHead)+j] == "" {
			continue
		}
		if e.Values[c], err = strconv.ParseFloat(row[len(historyHead)+j], 64); err != nil {
			return e, errors.Wrapf(err, "column %q", c)
		}
	}
	return e, nil
}
