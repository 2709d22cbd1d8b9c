// Package models holds symgrad's layers, the model zoo and checkpoints.
//
// Layers build nodes on a Gorgonia expression graph and expose their
// parameters explicitly through Params, with the names PyTorch's
// state_dict uses ("fc1.weight", "fc1.bias"), so a checkpoint moves between
// symgrad and PyTorch unchanged. Initialisation follows PyTorch's defaults
// and is driven by an explicit seed: the same seed gives bit-identical
// parameters.
package models
