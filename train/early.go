package train

import (
	"fmt"
	"math"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// EarlyStopping stops training when a monitored value has stopped
// improving, as Keras's EarlyStopping callback:
//
//	improved: v < best - MinDelta (mode min) or v > best + MinDelta (max)
//	if improved: best ← v, wait ← 0 (and the weights are copied)
//	else: wait ← wait + 1; stop when wait >= Patience
//
// With RestoreBest, a copy of every parameter and buffer (BatchNorm's
// running statistics too) is taken at each best epoch and loaded back into
// the model when training ends, however it ends: the model is left as it
// was at BestEpoch.
type EarlyStopping struct {
	Base
	// Monitor is the History column watched; "" means "val_loss".
	Monitor string
	// Mode is "min", "max", or "" / "auto": max for a name containing
	// "acc", min otherwise.
	Mode string
	// Patience is the number of epochs without improvement tolerated.
	Patience int
	// MinDelta is the least change that counts as an improvement.
	MinDelta float64
	// RestoreBest loads the best epoch's weights back at the end.
	RestoreBest bool

	// BestEpoch and Best are the best epoch (-1 before any) and its value;
	// StoppedEpoch is the epoch after which training was stopped (-1 if it
	// was not).
	BestEpoch    int
	Best         float64
	StoppedEpoch int

	mon  monitor
	wait int
	best map[string]*tensor.Dense
	// resumed says RestoreState set the state for the next Fit.
	resumed bool
}

// OnTrainBegin resets the state, as Keras does at every fit, unless
// Trainer.Resume has just restored it.
func (e *EarlyStopping) OnTrainBegin(*Trainer) error {
	if err := e.check(); err != nil {
		return err
	}
	m, err := newMonitor(e.Monitor, e.Mode, e.MinDelta)
	if err != nil {
		return err
	}
	if e.resumed {
		e.resumed = false
		return nil
	}
	e.mon, e.wait, e.best = m, 0, nil
	e.BestEpoch, e.Best, e.StoppedEpoch = -1, 0, -1
	return nil
}

// check refuses settings that would silently mean something else.
func (e *EarlyStopping) check() error {
	if e.Patience < 0 {
		return errors.Errorf("train: EarlyStopping.Patience is %d, want >= 0", e.Patience)
	}
	if math.IsNaN(e.MinDelta) || math.IsInf(e.MinDelta, 0) {
		return errors.Errorf("train: EarlyStopping.MinDelta is %v, want a finite number", e.MinDelta)
	}
	return nil
}

// ResumeState is the monitor's best value, BestEpoch, StoppedEpoch and
// the epochs waited without improvement.
func (e *EarlyStopping) ResumeState() map[string]string {
	st := map[string]string{
		"best_epoch":    strconv.Itoa(e.BestEpoch),
		"stopped_epoch": strconv.Itoa(e.StoppedEpoch),
		"wait":          strconv.Itoa(e.wait),
	}
	e.mon.state(st)
	return st
}

// RestoreState restores a ResumeState for the next Fit.
func (e *EarlyStopping) RestoreState(st map[string]string) error {
	if err := e.check(); err != nil {
		return err
	}
	m, err := newMonitor(e.Monitor, e.Mode, e.MinDelta)
	if err != nil {
		return err
	}
	if err := m.restoreState(st); err != nil {
		return errors.Wrap(err, "EarlyStopping")
	}
	var best, stopped, wait int
	if best, err = parseStateInt(st, "best_epoch", -1, maxCount); err == nil {
		if stopped, err = parseStateInt(st, "stopped_epoch", -1, maxCount); err == nil {
			wait, err = parseStateInt(st, "wait", 0, maxCount)
		}
	}
	if err != nil {
		return errors.Wrap(err, "EarlyStopping")
	}
	if m.seen != (best >= 0) {
		return errors.Errorf("EarlyStopping: best_epoch %d disagrees with seen %v", best, m.seen)
	}
	e.mon, e.wait, e.best, e.resumed = m, wait, nil, true
	e.BestEpoch, e.Best, e.StoppedEpoch = best, m.best, stopped
	return nil
}

// OnEpochEnd checks for an improvement and stops training after Patience
// epochs without one.
func (e *EarlyStopping) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
	v, err := e.mon.value(logs)
	if err != nil {
		return err
	}
	if e.mon.improve(v) {
		e.BestEpoch, e.Best, e.wait = epoch, v, 0
		if e.RestoreBest {
			e.best = snapshot(t)
		}
		return nil
	}
	e.wait++
	if e.wait >= e.Patience {
		e.StoppedEpoch = epoch
		t.Stop(fmt.Sprintf("early stopping: %s has not improved for %d epochs (best %.6g in epoch %d)", e.mon.name, e.wait, e.Best, e.BestEpoch+1))
	}
	return nil
}

// OnTrainEnd restores the best weights.
func (e *EarlyStopping) OnTrainEnd(t *Trainer, _ error) error {
	if !e.RestoreBest || e.BestEpoch < 0 {
		return nil
	}
	if e.best == nil {
		return errors.Errorf("EarlyStopping: cannot restore the weights of best epoch %d: it came before the checkpoint this run resumed from, which holds no copy of them; the model keeps the last epoch's weights", e.BestEpoch+1)
	}
	return errors.Wrapf(t.Model().LoadStateDict(e.best), "restoring the weights of epoch %d", e.BestEpoch+1)
}
