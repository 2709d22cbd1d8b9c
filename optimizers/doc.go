// Package optimizers holds gradient-descent update rules, gradient
// clipping and learning-rate schedules. It knows only tensors: an
// optimizer is given each parameter's value and gradient as a Param and
// updates the value in place. It does not know graphs, models or the
// training loop.
//
// # Update rules
//
// SGD (with NewMomentum and NewNesterov for its momentum forms), Adagrad,
// RMSprop, Adam, AdamW and Adadelta follow torch.optim of PyTorch 1.13 with
// all of its hyperparameters, its defaults and its checks. Each type's
// documentation gives its formula. The arithmetic is PyTorch's, in its
// order: the same scalars computed in float64 (for example Adam's
// step_size = lr/(1-β1ᵗ) and √(1-β2ᵗ), with βᵗ correctly rounded like C's
// pow), the same per-element operations, and fused multiply-adds where
// PyTorch's CPU kernels use them (add with alpha, addcmul). On the PyTorch
// 1.13 float64 trajectories in testdata/torch (the project's fixtures, and
// more made by testdata/gen_torch_fixtures.py) the parameters agree bit
// for bit.
//
// Each rule has a Config struct whose zero value is PyTorch's defaults.
// Fields whose default is not zero and for which zero is a valid value are
// pointers, nil meaning the default (with Go 1.26, Eps: new(0.0) sets
// ε = 0). LR is a plain number: 0 means the default, and a rate of exactly
// 0 is set with SetLR(0). FromTorch builds an optimizer from a torch.optim
// class name and its keyword arguments:
//
//	opt, err := optimizers.FromTorch("Adam", map[string]any{"lr": 0.01, "betas": []any{0.8, 0.99}})
//	opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01, Betas: &[2]float64{0.8, 0.99}})
//
// Step updates every param that has a gradient (a nil Grad is skipped, as
// a PyTorch parameter whose .grad is None). It checks all params first and
// changes nothing if one is wrong: a missing name, a name given twice,
// a dtype other than float32 and float64, a gradient whose dtype or shape
// differs from its value's, a non-contiguous tensor, or a value whose shape
// differs from the state kept under its name. Each step reads each value,
// gradient and state buffer once, in one loop over the []float64 or
// []float32 backing slices, and allocates nothing once every param has
// its state (the first step allocates it). float32 tensors are updated in
// float32 arithmetic, with the scalars cast to float32 as PyTorch does. An
// optimizer is not safe for concurrent use.
//
// # State
//
// State returns copies of an optimizer's per-parameter state and
// LoadState restores it, for checkpoints. Keys are "<param name>.<buffer>"
// with PyTorch's buffer names:
//
//	<name>.step              steps taken by that param: a float64 tensor of shape (1)
//	<name>.momentum_buffer   SGD with momentum ≠ 0, RMSprop with momentum > 0
//	<name>.sum               Adagrad
//	<name>.square_avg        RMSprop, Adadelta
//	<name>.grad_avg          RMSprop with centered
//	<name>.acc_delta         Adadelta
//	<name>.exp_avg           Adam, AdamW
//	<name>.exp_avg_sq        Adam, AdamW
//	<name>.max_exp_avg_sq    Adam, AdamW with amsgrad
//
// Buffers have their parameter's shape and dtype. LoadState accepts a step
// of shape () or (1) in any float or integer dtype; it rejects an unknown
// key, a missing key, a buffer whose shape differs from its param's (as
// the optimizer last saw it) or from the other buffers', naming the key and
// both shapes, and changes nothing on error. A buffer loaded in the other
// float dtype is cast to the param's at its next Step. The learning rate is
// not part of State: a checkpoint saves LR() beside the state and restores
// it with SetLR.
//
// # Clipping
//
// ClipGradValue (torch.nn.utils.clip_grad_value_) and ClipGradNorm
// (torch.nn.utils.clip_grad_norm_, any norm type, returning the total norm
// before clipping) scale gradients in place; call them between computing
// gradients and Step, with any optimizer.
//
// # Schedules
//
// StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR and LinearLR
// (warm-up) implement Scheduler, and ReduceLROnPlateau steps on a metric.
// They act on anything with LR and SetLR (LRSetter), and follow
// torch.optim.lr_scheduler: each takes the optimizer's rate as its base,
// steps once to epoch 0 when made, and computes each epoch's rate from the
// current one with PyTorch's recursive formulas, so LastLR matches
// get_last_lr() after each scheduler.step() (bit for bit on the cases in
// testdata/torch_schedules.json, made with PyTorch 1.13; the clipping
// functions match testdata/torch_clip.json bit for bit too).
//
// Every scheduler and ReduceLROnPlateau exports its progress with State
// (a ScheduleState: last epoch, base and last rate, and the plateau's
// best, bad epochs and cooldown counter — PyTorch's state_dict()) and
// takes it back with Restore. Restore leaves the optimizer's rate alone:
// set it with SetLR, then the next Step matches an uninterrupted run bit
// for bit.
package optimizers
