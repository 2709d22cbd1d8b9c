package train

import (
	"fmt"
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
// ("plateau.*") and the History ("history", as CSV).
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
}

// OnTrainBegin creates Dir and resets the best value.
func (c *Checkpoint) OnTrainBegin(*Trainer) error {
	if c.Dir == "" {
		return errors.New("checkpoint: Dir is empty")
	}
	m, err := newMonitor(c.Monitor, c.Mode, c.MinDelta)
	if err != nil {
		return err
	}
	c.mon = m
	return errors.Wrap(os.MkdirAll(c.Dir, 0o755), "checkpoint")
}

// OnEpochEnd saves the periodic and the best checkpoints.
func (c *Checkpoint) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
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
	if c.Every > 0 && (epoch+1)%c.Every == 0 {
		if err := c.write(filepath.Join(c.Dir, fmt.Sprintf("epoch-%04d.safetensors", epoch)), t, meta); err != nil {
			return err
		}
	}
	if !c.Best {
		return nil
	}
	v, err := c.mon.value(logs)
	if err != nil {
		return err
	}
	if c.mon.improve(v) {
		return c.write(filepath.Join(c.Dir, "best.safetensors"), t, meta)
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
