package train

import "github.com/pkg/errors"

// Logs holds the values of one epoch by History column name: "loss", each
// metric's name, and "val_" + each for the validation set.
type Logs map[string]float64

// Batch describes the training step that just ran.
type Batch struct {
	Epoch   int     // the epoch, from 0
	Index   int     // the batch within the epoch, from 0
	Batches int     // steps per epoch
	Step    int     // the global step, from 0
	Size    int     // samples in the batch
	Loss    float64 // the batch's loss (without penalty terms)
	LR      float64 // the learning rate of this step
}

// Callback is called by the training loop at fixed points, as Keras's
// callbacks and PyTorch Lightning's hooks are. Returning an error aborts
// training with that error; to end training normally after the current
// epoch, call Trainer.Stop. Embed Base to implement only some hooks.
//
// Order within an epoch: OnEpochBegin, then for every step the forward and
// backward pass, OnBackward (for callbacks implementing BackwardHook),
// clipping, the optimizer step and OnBatchEnd; then the validation pass,
// the schedules, and OnEpochEnd with the epoch's logs, which are already in
// the History. OnTrainEnd is always called, with the error that ended
// training (nil on success).
type Callback interface {
	OnTrainBegin(t *Trainer) error
	OnEpochBegin(t *Trainer, epoch int) error
	OnBatchEnd(t *Trainer, b Batch) error
	OnEpochEnd(t *Trainer, epoch int, logs Logs) error
	OnTrainEnd(t *Trainer, err error) error
}

// BackwardHook is implemented by callbacks that read the raw gradients of
// every step, after the backward pass and before clipping and the optimizer
// step (PyTorch Lightning's on_after_backward). The gradients are
// t.Program().Params()[i].Grad.
type BackwardHook interface {
	OnBackward(t *Trainer, b Batch) error
}

// Base implements every Callback hook as a no-op, for embedding.
type Base struct{}

// OnTrainBegin does nothing.
func (Base) OnTrainBegin(*Trainer) error { return nil }

// OnEpochBegin does nothing.
func (Base) OnEpochBegin(*Trainer, int) error { return nil }

// OnBatchEnd does nothing.
func (Base) OnBatchEnd(*Trainer, Batch) error { return nil }

// OnEpochEnd does nothing.
func (Base) OnEpochEnd(*Trainer, int, Logs) error { return nil }

// OnTrainEnd does nothing.
func (Base) OnTrainEnd(*Trainer, error) error { return nil }

// callbacks calls a hook on every callback in order, naming the failing
// one.
type callbacks []Callback

func (cs callbacks) each(hook string, f func(Callback) error) error {
	return eachHook(cs, hook, f)
}

// eachHook calls f on every callback that implements H, in order, naming
// the failing one with hook.
func eachHook[H any](cs callbacks, hook string, f func(H) error) error {
	for _, c := range cs {
		if h, ok := c.(H); ok {
			if err := f(h); err != nil {
				return errors.Wrapf(err, "callback %T %s", c, hook)
			}
		}
	}
	return nil
}

func (cs callbacks) backward(t *Trainer, b Batch) error {
	return eachHook(cs, "OnBackward", func(h BackwardHook) error { return h.OnBackward(t, b) })
}

// flusher is a callback with work to finish once every callback has seen
// the epoch's end (Checkpoint writes its files then).
type flusher interface {
	flush(t *Trainer, epoch int) error
}

// flush runs every flusher's flush after OnEpochEnd.
func (cs callbacks) flush(t *Trainer, epoch int) error {
	return eachHook(cs, "OnEpochEnd", func(f flusher) error { return f.flush(t, epoch) })
}
