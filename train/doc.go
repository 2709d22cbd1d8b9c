// Package train is symgrad's training loop: Fit a model on a dataset with
// an optimizer, report metrics per epoch, and act through callbacks —
// early stopping, checkpoints, a progress bar, learning-curve plots and
// gradient-flow diagnostics — as Keras's model.fit and PyTorch
// Lightning's Trainer do.
//
//	m, _ := models.Build("binary", models.Config{Batch: 32, Seed: 1})
//	opt, _ := optimizers.NewAdam(optimizers.AdamConfig{LR: 1e-3})
//	h, err := train.Fit(ctx, m, train.Config{
//		Epochs: 20, Train: sp.Train, Validation: sp.Val, Optimizer: opt, Seed: 1,
//		Metrics:   []train.Metric{train.Accuracy()},
//		Callbacks: []train.Callback{&train.EarlyStopping{Patience: 5, RestoreBest: true}},
//		Out:       os.Stdout,
//	})
//
// Fit trains the model in place and returns its History. NewTrainer gives
// the Trainer itself, to Fit again (epochs continue), Evaluate a dataset,
// Predict outputs, or reach the compiled Program.
//
// # Batches and static shapes
//
// Gorgonia graphs have static shapes, so a program is compiled for one
// batch size. The trainer keeps one program per batch size, built the
// first time that size is needed and cached: the model's own (its input x
// is [B, ...]) and, on a copy of the model built by Config.Rebuild (zoo
// models are rebuilt by name), any other. A copy's parameter nodes are
// bound to the model's own tensors, so every program trains the same
// parameters and the optimizer keeps one state; buffers (batch norm's
// running statistics) are copied in before each run and out after a
// training run. The batch size is Config.BatchSize (0: the model's):
//
//   - Training: each epoch, Train is shuffled (data.Batcher, seeded by
//     Config.Seed and the epoch) and cut into ceil(N/B) batches, the last
//     one smaller (PyTorch's DataLoader default); with Config.DropLast
//     the last partial batch is dropped (drop_last=True): floor(N/B).
//   - Validation (and Evaluate, Predict): every sample counts exactly
//     once. The set is cut in order into batches of B; if N mod B = r > 0,
//     the last r samples run as one batch of r. The loss is the mean over
//     samples (batch means weighted by batch size) and metrics count
//     samples, so the result equals that of one batch of N.
//   - Predict and Predictor run the output alone (no loss, no target, no
//     optimizer); Classes and Probabilities turn logits into class indices
//     and probabilities.
//
// A model without targets (Model.Y nil, an autoencoder's loss on x) takes
// no y: the dataset's Y is ignored. A declared y the loss does not read is
// not bound.
//
// # Modes
//
// Steps run in training mode (dropout on, batch norm on batch statistics,
// updating its running statistics). Validation runs in evaluation mode
// (compiler.Evaluation: dropout off, batch norm on running statistics).
// The training metrics come from the training passes, as in Keras.
//
// # A step
//
// Bind the batch, RunTrain (forward and gradients), record the loss and
// metrics, BackwardHook callbacks (raw gradients), clip (Config.Clip:
// value, then global norm), Optimizer.Step, a per-step Schedule, then
// OnBatchEnd. After the epoch: validation, the per-epoch Schedule and
// ReduceLROnPlateau (fed "val_loss", or "loss" without a validation set),
// the History record, then OnEpochEnd.
//
// # Values, History and metrics
//
// Each epoch logs "loss" (the data loss, without L1/L2 penalty terms),
// one value per Metric (Accuracy, MAE, or your own) and, with a validation
// set, "val_" + each. History keeps them with the learning rate of the
// epoch's last step and the epoch's wall time; WriteCSV writes it as
// Keras's CSVLogger, PlotHistory draws the curves (train solid,
// validation dashed) to a PNG.
//
// # Callbacks
//
// A Callback has OnTrainBegin, OnEpochBegin, OnBatchEnd, OnEpochEnd and
// OnTrainEnd (embed Base for no-ops); a callback ends training after the
// current epoch with Trainer.Stop and aborts it by returning an error.
// OnTrainEnd always runs, with the error that ended training.
//
//   - EarlyStopping: monitor, patience, min delta, mode min/max; restores
//     the best epoch's parameters and buffers at the end.
//   - Checkpoint: every N epochs and/or on the best value, through
//     models.SaveCheckpoint (atomic), with the optimizer state.
//   - ProgressBar: a bar redrawn with \r, with rate and ETA, when the
//     output is a terminal; one plain line per epoch otherwise.
//   - HistoryCSV: the History as CSV after every epoch (Keras's CSVLogger).
//   - HistoryPlotter: PlotHistory after every epoch.
//   - GradFlow: per-parameter gradient L2 norms (raw, before clipping;
//     mean over each epoch's steps) and their log-scale plot, to see
//     vanishing and exploding gradients.
//
// # Resuming
//
// The Checkpoint callback saves, beside the model and the optimizer state,
// what Trainer.Resume needs to continue a run: the epoch, step and
// learning rate, the states of Config.Schedule and Config.Plateau
// (optimizers.ScheduleState), the History, the state of every Resumable
// callback (EarlyStopping, Checkpoint) and the dropout masks' random
// streams. After a crash, build the
// same model, optimizer and schedules, make a Trainer with the same
// Config, Resume and Fit — PyTorch's load_state_dict calls and
// start_epoch = checkpoint["epoch"] + 1:
//
//	t, _ := train.NewTrainer(m, cfg) // cfg.Epochs: how many more epochs
//	if err := t.Resume("ckpt/epoch-0002.safetensors"); err != nil { ... }
//	h, err := t.Fit(ctx) // epochs 3, 4, ...; h holds epochs 0-2 too
//
// The epochs go on from the checkpoint's, with the same shuffling order,
// the same dropout masks, the same early stopping and the same
// best.safetensors, so the run is bit-identical to an uninterrupted one
// (TestResumeWithCallbacksBitIdentical). Resume validates what it reads
// (rates finite and not negative, counters in range, optimizer state of
// its parameter's shape, every value finite) and reads the file once.
// EarlyStopping.RestoreBest's copy of the best weights is the one thing
// not saved (see EarlyStopping).
//
// # Non-finite values
//
// With the compiler's NaN guard on (the default), a step whose loss or
// gradients become NaN or ±Inf fails with an error that names the epoch,
// the batch and the global step, and wraps the *compiler.NonFiniteError
// naming the first node that produced the value (errors.As finds it). The
// optimizer has not stepped, the History keeps the completed epochs, and
// no checkpoint is written for the failed epoch. With the guard off, a
// non-finite loss is still an error.
//
// # Determinism
//
// Everything random is seeded: the model's initialization (its build
// seed), dropout masks (the layer's seed) and the order of the training
// samples (Config.Seed). The loop itself adds no randomness and sums in a
// fixed order, so the same seeds give a bit-identical History (apart from
// the wall times).
//
// # Errors
//
// Functions return errors (github.com/pkg/errors) that say where: "train:
// epoch 3/5, batch 1/6: ...", the callback and hook that failed, or the
// dataset and the model input that do not fit. Gorgonia panics are
// recovered at the public entry points.
//
// Epochs and batches count from 0 in the API (callback arguments, Batch,
// EpochRecord, Trainer.Epoch, checkpoint file names) and from 1 in text
// for people (progress lines, errors, stop reasons), as in Keras.
package train
