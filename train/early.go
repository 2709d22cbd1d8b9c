package train

import (
	"fmt"

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
}

// OnTrainBegin resets the state, as Keras does at every fit.
func (e *EarlyStopping) OnTrainBegin(*Trainer) error {
	m, err := newMonitor(e.Monitor, e.Mode, e.MinDelta)
	if err != nil {
		return err
	}
	e.mon, e.wait, e.best = m, 0, nil
	e.BestEpoch, e.Best, e.StoppedEpoch = -1, 0, -1
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
	if !e.RestoreBest || e.best == nil {
		return nil
	}
	return errors.Wrapf(t.Model().LoadStateDict(e.best), "restoring the weights of epoch %d", e.BestEpoch+1)
}
