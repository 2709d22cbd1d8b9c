package compiler

import "github.com/symgrad/symgrad/compiler/exec"

// Mode says whether ops with a train/eval switch (dropout, batch norm) run
// in training or evaluation mode: Training or Evaluation. It is exec.Mode,
// the mode the executor runs a program in (RunLoss takes one).
type Mode = exec.Mode

const (
	// Training mode: dropout drops, batch norm uses batch statistics.
	Training = exec.Training
	// Evaluation mode: dropout is the identity, batch norm uses running
	// statistics.
	Evaluation = exec.Evaluation
)
