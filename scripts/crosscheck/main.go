// Command crosscheck is the Go side of the PyTorch cross-check harness
// (crosscheck.py in this directory; see README.md). It is a tool for people,
// not part of CI.
//
//	go run ./scripts/crosscheck save  MODEL SEED DTYPE CKPT BATCH OUT
//	go run ./scripts/crosscheck load  MODEL CKPT BATCH OUT
//	go run ./scripts/crosscheck train MODEL CKPT OUTCKPT BATCH...
//	go run ./scripts/crosscheck layer SPEC IN OUT
//	go run ./scripts/crosscheck gru   LAYERS BIDI WEIGHTS INPUT OUT
//
// save builds zoo model MODEL from SEED in DTYPE (float64|float32) for the
// batch size of BATCH's x, writes its checkpoint with models.SaveCheckpoint
// to CKPT and the eval-mode output on x to OUT (tensor "output"). load
// loads CKPT (models.LoadCheckpoint, strict) and writes the eval-mode output
// on BATCH's x to OUT. train loads CKPT, runs one training-mode forward and
// backward pass (RunTrain, no optimizer step) on each BATCH in turn and
// saves the state dict (running statistics updated) to OUTCKPT. layer runs
// one layer (LayerNorm, Linear, MultiheadAttention, TransformerEncoderLayer)
// described by the JSON SPEC on IN's weights and inputs (attention.go).
// saves the state dict (running statistics updated) to OUTCKPT. gru runs a
// models.GRU layer on PyTorch's weights (see gruCase).
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/safetensors"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "crosscheck:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: crosscheck save|load|train|gru ...")
	}
	switch cmd, a := args[0], args[1:]; {
	case cmd == "save" && len(a) == 6:
		seed, err := strconv.ParseUint(a[1], 10, 64)
		if err != nil {
			return err
		}
		return save(a[0], seed, a[2], a[3], a[4], a[5])
	case cmd == "load" && len(a) == 4:
		return load(a[0], a[1], a[2], a[3])
	case cmd == "train" && len(a) >= 4:
		return train(a[0], a[1], a[2], a[3:])
	case cmd == "layer" && len(a) == 3:
		return layer(a[0], a[1], a[2])
	case cmd == "gru" && len(a) == 5:
		return gruCase(a)
	}
	return errors.Errorf("bad arguments %q", args)
}

// readBatch reads x (and y, when present) converted to the model's dtypes.
func readBatch(path string) (x, y *tensor.Dense, err error) {
	f, err := safetensors.Read(path)
	if err != nil {
		return nil, nil, err
	}
	x, err = f.Tensor("x")
	if err != nil {
		return nil, nil, err
	}
	return x, f.Tensors["y"], nil
}

func build(name string, seed uint64, dtype string, x *tensor.Dense) (*models.Model, error) {
	dt := tensor.Float64
	if dtype == "float32" {
		dt = tensor.Float32
	}
	return models.Build(name, models.Config{Batch: x.Shape()[0], Dtype: dt, Seed: seed})
}

func save(name string, seed uint64, dtype, ckpt, batch, out string) error {
	x, _, err := readBatch(batch)
	if err != nil {
		return err
	}
	m, err := build(name, seed, dtype, x)
	if err != nil {
		return err
	}
	if err := models.SaveCheckpoint(ckpt, m, nil, nil); err != nil {
		return err
	}
	return evalOutput(m, x, out)
}

func load(name, ckpt, batch, out string) error {
	x, _, err := readBatch(batch)
	if err != nil {
		return err
	}
	f, err := safetensors.Read(ckpt)
	if err != nil {
		return err
	}
	dtype := "float64"
	for _, t := range f.Tensors {
		if t.Dtype() == tensor.Float32 {
			dtype = "float32"
		}
	}
	m, err := build(name, 99, dtype, x)
	if err != nil {
		return err
	}
	if _, err := models.LoadCheckpoint(ckpt, m); err != nil {
		return err
	}
	return evalOutput(m, x, out)
}

// evalOutput runs the model in inference (eval) mode on x and writes its
// output.
func evalOutput(m *models.Model, x *tensor.Dense, out string) error {
	prog, err := m.Compile()
	if err != nil {
		return err
	}
	defer prog.Close()
	if err := prog.Bind("x", x); err != nil {
		return err
	}
	if err := prog.RunInference(); err != nil {
		return err
	}
	o := prog.Output(0).(*tensor.Dense).Clone().(*tensor.Dense)
	return safetensors.Write(out, map[string]*tensor.Dense{"output": o}, nil)
}

func train(name, ckpt, outCkpt string, batches []string) error {
	x0, _, err := readBatch(batches[0])
	if err != nil {
		return err
	}
	m, err := build(name, 99, "float64", x0)
	if err != nil {
		return err
	}
	if _, err := models.LoadCheckpoint(ckpt, m); err != nil {
		return err
	}
	prog, err := m.Compile() // a graph compiles once: one program for every batch
	if err != nil {
		return err
	}
	defer prog.Close()
	for i, b := range batches {
		x, y, err := readBatch(b)
		if err != nil {
			return err
		}
		if y == nil {
			return errors.Errorf("%s has no y", b)
		}
		if err := prog.Bind("x", x); err != nil {
			return err
		}
		if err := prog.Bind("y", y); err != nil {
			return err
		}
		if err := prog.RunTrain(); err != nil {
			return errors.Wrapf(err, "batch %d", i)
		}
	}
	return models.SaveCheckpoint(outCkpt, m, nil, nil)
}
