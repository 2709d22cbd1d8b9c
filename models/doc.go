// Package models holds symgrad's layers, the model zoo and checkpoints.
//
// # Layers
//
// Layers build nodes on a Gorgonia expression graph and expose their state
// explicitly (no reflection): Params returns the trainable leaves, named as
// PyTorch's state_dict names them ("fc1.weight", "lstm.weight_hh_l0"),
// Buffers the non-trainable state (BatchNorm's running_mean, running_var and
// the 0-d int64 num_batches_tracked). Every layer is a Module; those with a
// one-input forward rule are Layers and chain in a Sequential:
//
//	Linear     y = x W^T + b                  weight [out, in], bias [out] (WithoutBias: none)
//	Conv2D     PyTorch's Conv2d (stride, padding)  weight [O, C, kH, kW], bias [O]
//	Conv1D     PyTorch's Conv1d (stride, padding, dilation)  weight [O, C, K], bias [O]
//	MaxPool2D (with -inf padding), AvgPool2D, MaxPool1D, AvgPool1D,
//	GlobalMaxPool, GlobalAvgPool (over one axis), Flatten, Dropout, Func (activations)
//	BatchNorm  BatchNorm1d / BatchNorm2d      weight, bias [C]; running stats
//	Embedding  weight [num, dim] rows looked up by int64 token ids (padding_idx)
//	LSTM       one layer, batch_first, optionally bidirectional (a Module:
//	           Forward returns every step's h and the final h_n, c_n)
//	GRU        any number of layers, batch_first, optionally bidirectional
//	           (gates r, z, n; bias_ih and bias_hh kept apart as PyTorch does)
//	LayerNorm  over the trailing normalized_shape axes; weight, bias of that shape
//	MultiheadAttention  batch_first; in_proj_weight [3E, E], in_proj_bias, out_proj
//	           (a Module: Forward(q, k, v, masks) returns the output and the
//	           head-averaged weights)
//	TransformerEncoderLayer  self_attn, linear1, linear2, norm1, norm2;
//	           post- or pre-norm, ReLU or GELU (docs/attention.md)
//
// Initialisation follows PyTorch's defaults and is driven by an explicit
// seed (NewRNG): the same seed gives bit-identical parameters. The values
// need not match PyTorch's own random stream, only its distributions:
// U(±1/sqrt(fan_in)) for Linear and Conv2d weights and biases, U(±1/sqrt(H))
// for every LSTM and GRU tensor, N(0, 1) for Embedding (its padding row
// zero), 1 and 0 for BatchNorm and LayerNorm, xavier-uniform
// in_proj_weight and zero biases for attention.
//
// The train/eval switch is the compiler's: ops such as dropout and batch
// norm implement gorgonia.TrainModeOp and each machine sets their mode
// before it runs (RunTrain: training; RunInference: evaluation).
//
// # Zoo
//
// Build(name, Config) builds one of Names() on a fresh graph, with its
// batch inputs "x" and "y", output and loss; each builder's doc comment
// (buildSimpleNet, buildMLP, buildLeNet, ... in zoo_*.go) gives the
// equivalent PyTorch module and its layouts. Model.StateDict and
// Model.LoadStateDict move the state by PyTorch name; SampleBatch draws a
// seeded batch (int64 token ids in [0, Vocab) for a model whose Vocab is
// set, textcnn).
//
// # Checkpoints
//
// SaveCheckpoint writes a safetensors file (atomically) whose tensors are
// the state dict under PyTorch's names and layouts, so that
// model.load_state_dict(safetensors.torch.load_file(path)) works once the
// "optimizer." entries are dropped, plus optimizer state under the
// "optimizer." prefix and metadata (format "pt", symgrad.version,
// symgrad.model, symgrad.dtype). LoadCheckpoint matches tensors by name
// and shape (symgrad.model is for people, never compared with the model's
// name); it is strict and all or nothing: a file with no model tensors,
// any missing, unexpected, mis-shaped or mis-typed tensor is an error
// naming it and both shapes or dtypes, and the model is then left
// unchanged. Saving a model with no state (layers never registered with
// Add) is an error. A float64 file loads into a float32 model (and back) only with
// the ConvertDtype option.
//
// # Errors
//
// Public functions return errors wrapped with the layer, op and shapes at
// fault; Gorgonia panics are recovered at the public boundary.
package models
