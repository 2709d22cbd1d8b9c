package train

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/pkg/errors"

	"github.com/symgrad/symgrad/models"
)

// Checkpoint saves the model (and the optimizer state) during training, as
// Keras's ModelCheckpoint and PyTorch Lightning's ModelCheckpoint:
//
//   - every Every epochs to Dir/epoch-NNNN.safetensors (NNNN the epoch,
//     from 0, four digits);
//   - with Best, to Dir/best.safetensors whenever Monitor improves (see
//     EarlyStopping for "improves").
//
// Files are written by models.SaveCheckpoint (or Save), which writes
// atomically: a crash or an error mid-save leaves the previous file whole.
// A checkpoint is written only at the end of a completed epoch, so an
// epoch that fails (a NaN loss, a cancelled context) never overwrites one.
// The metadata records "epoch", "step", "lr", every logged value as
// "log.<name>", and what Trainer.Resume needs to continue the run: the
// states of Config.Schedule ("schedule.*") and Config.Plateau
// ("plateau.*"), the History ("history", as CSV), the state of every
// Resumable callback ("callback.<i>.*": EarlyStopping's, and this
// Checkpoint's best value, so a resumed run never overwrites a better
// best.safetensors) and the random streams of the model's dropout layers
// ("rng.*").
//
// The files of an epoch are written after every callback's OnEpochEnd
// has run, so the states they record are those at the end of the epoch,
// whatever the callbacks' order.
type Checkpoint struct {
	Base
	// Dir is the directory for the files; it is created if missing.
	Dir string
	// Every saves every that many epochs; 0 means no periodic saves.
	Every int
	// Best saves best.safetensors when Monitor improves.
	Best bool
	// Monitor, Mode and MinDelta select the best epoch as in EarlyStopping.
	Monitor  string
	Mode     string
	MinDelta float64
	// Save writes one checkpoint; nil means models.SaveCheckpoint with the
	// optimizer's State.
	Save func(path string, t *Trainer, meta map[string]string) error

	// Saved lists the paths written, in order.
	Saved []string

	mon monitor
	// resumed says RestoreState set the best value for the next Fit.
	resumed bool
	// pending are the files of the current epoch, written by flush.
	pending     []string
	pendingLogs Logs
}

// OnTrainBegin creates Dir and resets the best value, unless
// Trainer.Resume has just restored it.
func (c *Checkpoint) OnTrainBegin(*Trainer) error {
	if c.Dir == "" {
		return errors.New("checkpoint: Dir is empty")
	}
	if c.Every < 0 || math.IsNaN(c.MinDelta) || math.IsInf(c.MinDelta, 0) {
		return errors.Errorf("checkpoint: Every %d must not be negative and MinDelta %v must be finite", c.Every, c.MinDelta)
	}
	m, err := newMonitor(c.Monitor, c.Mode, c.MinDelta)
	if err != nil {
		return err
	}
	if !c.resumed {
		c.mon = m
	}
	c.resumed, c.pending = false, nil
	return errors.Wrap(os.MkdirAll(c.Dir, 0o755), "checkpoint")
}

// ResumeState is the best value seen of Monitor.
func (c *Checkpoint) ResumeState() map[string]string {
	st := map[string]string{}
	c.mon.state(st)
	return st
}

// RestoreState restores a ResumeState for the next Fit.
func (c *Checkpoint) RestoreState(st map[string]string) error {
	m, err := newMonitor(c.Monitor, c.Mode, c.MinDelta)
	if err != nil {
		return err
	}
	if err := m.restoreState(st); err != nil {
		return errors.Wrap(err, "Checkpoint")
	}
	c.mon, c.resumed = m, true
	return nil
}

// OnEpochEnd decides which checkpoints the epoch gets: the periodic one,
// and best.safetensors when Monitor improves. The Trainer writes them
// once every callback has seen the epoch (flush).
func (c *Checkpoint) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
	c.pending, c.pendingLogs = nil, logs
	if c.Every > 0 && (epoch+1)%c.Every == 0 {
		c.pending = append(c.pending, filepath.Join(c.Dir, fmt.Sprintf("epoch-%04d.safetensors", epoch)))
	}
	if !c.Best {
		return nil
	}
	v, err := c.mon.value(logs)
	if err != nil {
		return err
	}
	if c.mon.improve(v) {
		c.pending = append(c.pending, filepath.Join(c.Dir, "best.safetensors"))
	}
	return nil
}

// flush writes the files OnEpochEnd chose for epoch.
func (c *Checkpoint) flush(t *Trainer, epoch int) error {
	paths, logs := c.pending, c.pendingLogs
	c.pending, c.pendingLogs = nil, nil
	if len(paths) == 0 {
		return nil
	}
	meta := map[string]string{
		"epoch": strconv.Itoa(epoch),
		"step":  strconv.Itoa(t.Step()),
		"lr":    strconv.FormatFloat(t.Optimizer().LR(), 'g', -1, 64),
	}
	for k, v := range logs {
		meta["log."+k] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	if err := t.resumeMeta(meta); err != nil {
		return errors.Wrap(err, "checkpoint")
	}
	for _, p := range paths {
		if err := c.write(p, t, meta); err != nil {
			return err
		}
	}
	return nil
}

func (c *Checkpoint) write(path string, t *Trainer, meta map[string]string) error {
	save := c.Save
	if save == nil {
		save = func(path string, t *Trainer, meta map[string]string) error {
			return models.SaveCheckpoint(path, t.Model(), t.Optimizer().State(), meta)
		}
	}
	if err := save(path, t, meta); err != nil {
		return errors.Wrapf(err, "checkpoint %s", path)
	}
	c.Saved = append(c.Saved, path)
	return nil
}
